/**
 * What a turn costs this bot beside a bare Bot Framework echo bot, measured in the same run. Both run
 * as child processes (`benchHost.ts`: the same botbuilder, `CloudAdapter` with authentication off,
 * restify) and answer the same quiet loopback connector in this process. Each gets, after a warm-up,
 * 2,000 `help` messages from an admin and 2,000 form presses with 50 in flight:
 *
 * - `help`: ours draws the help card and sends it; the echo bot sends the text back.
 * - a mid-form Next: step 2 of the request form (the account) pressed with the display name left
 *   empty, so ours reads the form's dialog state, checks the inputs, draws the step's card again with
 *   the error next to the field and answers the press with it, and writes the state; no Microsoft 365
 *   call. The echo bot answers the press with a one-line message.
 *
 * Per group: activities per second, p50 and p99 of the time to the HTTP answer, each process's RSS
 * before and at its peak, and the ratios ours / echo (goal: p99 at most 1.2×). Then this bot's heap
 * (after a full collection) after the warm-up, after 5,000 and after 10,000 turns: memory must not
 * grow with turns.
 */
import {
  activity,
  type BotHost,
  cardAction,
  type FakeConnector,
  inLanes,
  megabytes,
  post,
  ratio,
  type Spread,
  startConnector,
  startHost,
  summary,
  type TeamsUser,
} from './benchLoad';

const ACTIVITIES = 2_000;
const LANES = 50;
const WARM_UP = 200;
const MEMORY_TURNS = 10_000;
const P99_GOAL = 1.2;
/** Heap growth allowed from 5,000 to 10,000 turns (after a full collection). */
const GROWTH_LIMIT_MB = 8;
const NEXT_ERROR = 'Type a display name';

type Write = (label: string, value: string | number, note?: string) => void;

interface Group {
  spread: Spread;
  perSecond: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  failures: number;
}

export interface TurnFigures {
  ok: boolean;
  help: { ours: Group; echo: Group };
  next: { ours: Group; echo: Group };
  heapMb: { warm: number; at5000: number; at10000: number };
}

/** Starts a request form in each lane's own chat, one after the other, and returns the id of each lane's step-2 form. */
async function openForms(bot: BotHost, connector: FakeConnector, people: TeamsUser[]): Promise<string[]> {
  const forms: string[] = [];
  for (const [lane, person] of people.entries()) {
    forms.push(
      await (async () => {
        const chat = personalChat(person);
        const started = await post(
          bot.url,
          activity(
            connector.serviceUrl,
            bot.tenantId,
            person,
            { type: 'message', text: 'new service account' },
            chat,
          ),
        );
        const checks = formIdIn(JSON.stringify(connector.lastIn(chat) ?? {}));
        if (started.status !== 200 || checks === undefined) throw new Error(`lane ${lane}: no form started`);
        const next = await post(
          bot.url,
          cardAction(
            connector.serviceUrl,
            bot.tenantId,
            person,
            'form.next',
            { formId: checks, verb: 'form.next' },
            chat,
          ),
        );
        const account = formIdIn(JSON.stringify(connector.lastIn(chat) ?? {}));
        if (next.status !== 200 || account === undefined || account === checks)
          throw new Error(`lane ${lane}: the form did not reach its second step`);
        return account;
      })(),
    );
  }
  return forms;
}

const personalChat = (person: TeamsUser): string => `a:personal-${person.aadObjectId}`;

function formIdIn(text: string): string | undefined {
  return /"formId":"([^"]+)"/.exec(text)?.[1];
}

/** One kind of turn, `count` times with 50 in flight, on one host. */
async function run(
  host: BotHost,
  count: number,
  send: (index: number, lane: number) => Promise<boolean>,
  timed: boolean,
): Promise<Group> {
  await host.call('mark');
  const before = await host.memory();
  let failures = 0;
  const { samples, ms } = await inLanes(count, LANES, async (index, lane) => {
    const started = performance.now();
    if (!(await send(index, lane))) failures++;
    return performance.now() - started;
  });
  const after = await host.memory();
  return {
    spread: timed ? summary(samples) : summary([]),
    perSecond: Math.round((count / ms) * 1000),
    rssBeforeMb: megabytes(before.rssBytes),
    rssPeakMb: megabytes(after.peakRssBytes),
    failures,
  };
}

export async function benchTurns(write: Write): Promise<TurnFigures> {
  const connector = await startConnector();
  const hosts: BotHost[] = [];
  try {
    const echo = await startHost('echo');
    hosts.push(echo);
    const ours = await startHost('bot');
    hosts.push(ours);
    // One Global Administrator per lane, each in their own personal chat, as Teams has it: some
    // saying `help`, others filling in a form.
    const talkers = await ours.call<TeamsUser[]>('addAdmins', { count: LANES, prefix: 'help' });
    const fillers = await ours.call<TeamsUser[]>('addAdmins', { count: LANES, prefix: 'form' });
    const forms = await openForms(ours, connector, fillers);

    const help = (host: BotHost) => async (_index: number, lane: number) => {
      const answer = await post(
        host.url,
        activity(connector.serviceUrl, host.tenantId, talkers[lane], { type: 'message', text: 'help' }),
      );
      return answer.status === 200;
    };
    const next = (host: BotHost) => async (_index: number, lane: number) => {
      const data = {
        formId: forms[lane],
        verb: 'form.next',
        displayName: '',
        username: 'svc-sync',
        domain: 'contoso.com',
      };
      const answer = await post(
        host.url,
        cardAction(connector.serviceUrl, host.tenantId, fillers[lane], 'form.next', data),
      );
      return (
        answer.status === 200 &&
        /"statusCode":200/.test(answer.text) &&
        (host.kind === 'echo' || answer.text.includes(NEXT_ERROR))
      );
    };

    for (const host of hosts) {
      await run(host, WARM_UP, help(host), false);
      await run(host, WARM_UP, next(host), false);
    }
    const heapWarm = megabytes((await ours.memory()).heapUsedBytes);
    const figures = {
      help: {
        echo: await run(echo, ACTIVITIES, help(echo), true),
        ours: await run(ours, ACTIVITIES, help(ours), true),
      },
      next: {
        echo: await run(echo, ACTIVITIES, next(echo), true),
        ours: await run(ours, ACTIVITIES, next(ours), true),
      },
    };
    let turns = 2 * WARM_UP + 2 * ACTIVITIES;
    const toTurn = async (target: number) => {
      while (turns < target) {
        const batch = Math.min(ACTIVITIES, target - turns);
        await run(ours, batch, turns % 2 === 0 ? help(ours) : next(ours), false);
        turns += batch;
      }
      return megabytes((await ours.memory()).heapUsedBytes);
    };
    const at5000 = await toTurn(MEMORY_TURNS / 2);
    const at10000 = await toTurn(MEMORY_TURNS);

    let ok = true;
    for (const [name, group] of [
      ['help message', figures.help],
      ['mid-form Next press', figures.next],
    ] as const) {
      const { ours: o, echo: e } = group;
      write(
        `turns: ${name}, echo p50 / p99 (ms)`,
        `${e.spread.p50} / ${e.spread.p99}`,
        `${e.perSecond} activities/s`,
      );
      write(
        `turns: ${name}, ours p50 / p99 (ms)`,
        `${o.spread.p50} / ${o.spread.p99}`,
        `${o.perSecond} activities/s`,
      );
      const p99Ratio = ratio(o.spread.p99, e.spread.p99);
      write(
        `turns: ${name}, p99 ours / echo`,
        p99Ratio,
        `goal <= ${P99_GOAL}; p50 ${ratio(o.spread.p50, e.spread.p50)}, activities/s ${ratio(o.perSecond, e.perSecond)}`,
      );
      write(
        `turns: ${name}, RSS before / peak (MB)`,
        `${o.rssBeforeMb} / ${o.rssPeakMb}`,
        `echo ${e.rssBeforeMb} / ${e.rssPeakMb}; peak ratio ${ratio(o.rssPeakMb, e.rssPeakMb)}`,
      );
      const failures = o.failures + e.failures;
      if (failures > 0) ok = false;
      write(`turns: ${name}, failed answers`, failures, `of ${2 * ACTIVITIES}`);
    }
    const growth = Math.round((at10000 - at5000) * 10) / 10;
    const flat = growth <= GROWTH_LIMIT_MB;
    if (!flat) ok = false;
    write(
      'turns: heap after warm-up / 5,000 / 10,000 turns (MB)',
      `${heapWarm} / ${at5000} / ${at10000}`,
      `after a full collection; ${flat ? 'ok' : 'MISSED'} (target: at most ${GROWTH_LIMIT_MB} MB more from 5,000 to 10,000: ${growth})`,
    );
    return { ok, ...figures, heapMb: { warm: heapWarm, at5000, at10000 } };
  } finally {
    for (const host of hosts.reverse()) await host.close();
    await connector.close();
  }
}
