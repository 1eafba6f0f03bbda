/**
 * STORAGE=azure: the bot's state in Azure Blob Storage, against Azurite on loopback.
 */
import { ConversationState, TestAdapter } from 'botbuilder';
import { createStorage } from '../../../src/adapters/storage/createStorage';
import { type Azurite, startAzurite } from '../../support/azurite';

describe('STORAGE=azure against Azurite', () => {
  let azurite: Azurite;
  let connectionString: string;

  beforeAll(async () => {
    azurite = await startAzurite();
    connectionString = azurite.connectionString;
  });

  afterAll(async () => {
    await azurite?.stop();
  });

  it('when conversation state is saved twice, then the second turn reads the first and stale eTags are refused', async () => {
    const { storage, close } = createStorage({
      kind: 'azure',
      connectionString,
      container: 'bot-state-test',
    });
    const state = new ConversationState(storage);
    const counter = state.createProperty<number>('counter');
    const adapter = new TestAdapter(async (context) => {
      const value = (await counter.get(context, 0)) + 1;
      await counter.set(context, value);
      await context.sendActivity(`count ${value}`);
      await state.saveChanges(context);
    });
    await adapter.send('one').assertReply('count 1').send('two').assertReply('count 2').startTest();

    await storage.write({ item: { v: 1 } });
    const first = (await storage.read(['item'])).item;
    await storage.write({ item: { ...first, v: 2 } });
    await expect(storage.write({ item: { ...first, v: 3 } })).rejects.toThrow();
    expect((await storage.read(['item'])).item.v).toBe(2);
    await close();
  });
});
