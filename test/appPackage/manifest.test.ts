import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { COMMANDS } from '../../src/bot/commands';
import { checkIcon } from '../../src/tools/manifestSchema';
import {
  fillPlaceholders,
  parseDotEnv,
  readPngRgba,
  readPngSize,
  validateManifest,
} from '../../src/tools/packageApp';

const ROOT = path.join(__dirname, '..', '..');
const APP_PACKAGE = path.join(ROOT, 'appPackage');
const TEMPLATE = fs.readFileSync(path.join(APP_PACKAGE, 'manifest.json'), 'utf8');

const SAMPLE = {
  TEAMS_APP_ID: '3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b',
  BOT_ID: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  APP_DEVELOPER_NAME: 'Contoso IT',
  APP_WEBSITE_URL: 'https://contoso.example/service-account-bot',
  APP_PRIVACY_URL: 'https://contoso.example/privacy',
  APP_TERMS_OF_USE_URL: 'https://contoso.example/terms',
};

interface Command {
  title: string;
  description: string;
}
/** The parts of the manifest these tests read; the schema check vouches for the shape. */
interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  icons: { color: string; outline: string };
  bots: {
    botId: string;
    scopes: string[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: { scopes: string[]; commands: Command[] }[];
  }[];
}

function filledTemplate(values: Record<string, string> = SAMPLE): unknown {
  const filled = fillPlaceholders(TEMPLATE, values);
  expect(filled.missing).toEqual([]);
  return JSON.parse(filled.text);
}

function validManifest(): Manifest {
  const manifest = filledTemplate();
  expect(validateManifest(manifest)).toEqual([]);
  return manifest as Manifest;
}

/** A minimal RGBA PNG encoder (filter 0), to feed the icon checks images they must reject. */
function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++)
    rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('Teams app manifest template', () => {
  it('when filled with sample ids and developer details, then it is valid against the official v1.22 schema', () => {
    const manifest = validManifest();
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toBe(
      'https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
    );
    expect(manifest.id).toBe(SAMPLE.TEAMS_APP_ID);
    expect(manifest.bots[0].botId).toBe(SAMPLE.BOT_ID);
  });

  it('when an environment file is read, then it names every placeholder the template uses', () => {
    const placeholders = fillPlaceholders(TEMPLATE, {}).missing.sort();
    expect(placeholders).toEqual(Object.keys(SAMPLE).sort());
    for (const envName of ['local', 'dev']) {
      const file = path.join(ROOT, 'env', `.env.${envName}`);
      const keys = Object.keys(parseDotEnv(fs.readFileSync(file, 'utf8'), file));
      expect({ envName, missing: placeholders.filter((name) => !keys.includes(name)) }).toEqual({
        envName,
        missing: [],
      });
    }
  });

  it('when the bot is declared, then it converses in personal chat, teams and group chats and takes no files', () => {
    const [bot, ...others] = validManifest().bots;
    expect(others).toEqual([]);
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
  });

  it('when Teams shows the command menu in any scope, then it lists exactly the COMMANDS texts and descriptions', () => {
    const bot = validManifest().bots[0];
    const expected = COMMANDS.map((command) => ({ title: command.text, description: command.description }));
    for (const scope of bot.scopes) {
      const lists = bot.commandLists.filter((list) => list.scopes.includes(scope));
      expect({ scope, lists: lists.length }).toEqual({ scope, lists: 1 });
      expect(lists[0].commands).toEqual(expected);
    }
  });

  it('when botId is not a GUID, then validateManifest reports the bot id', () => {
    const manifest = filledTemplate({ ...SAMPLE, BOT_ID: 'service-account-bot' });
    expect(validateManifest(manifest)).toEqual([
      expect.stringMatching(/^\/bots\/0\/botId must match pattern/),
    ]);
  });

  it('when the name is missing, then validateManifest reports the missing property', () => {
    const manifest = filledTemplate() as Record<string, unknown>;
    delete manifest.name;
    expect(validateManifest(manifest)).toEqual(["/ must have required property 'name'"]);
  });

  it('when a developer URL is plain http, then validateManifest rejects it although the schema allows it', () => {
    const manifest = filledTemplate({ ...SAMPLE, APP_PRIVACY_URL: 'http://contoso.example/privacy' });
    expect(validateManifest(manifest)).toEqual([
      '/developer/privacyUrl must be an https URL (got "http://contoso.example/privacy")',
    ]);
  });

  it('when the version is not MAJOR.MINOR.PATCH, then validateManifest reports it', () => {
    const manifest = { ...(filledTemplate() as Record<string, unknown>), version: '1.0' };
    expect(validateManifest(manifest)).toEqual(['/version must be MAJOR.MINOR.PATCH (got "1.0")']);
  });
});

describe('Teams app icons', () => {
  const color = fs.readFileSync(path.join(APP_PACKAGE, 'color.png'));
  const outline = fs.readFileSync(path.join(APP_PACKAGE, 'outline.png'));

  it('when the manifest names the icons, then they are the two files in appPackage', () => {
    expect(validManifest().icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('when color.png is read, then it is 192×192 and passes the icon check', () => {
    expect(readPngSize(color)).toEqual({ width: 192, height: 192 });
    expect(checkIcon('color', color)).toEqual([]);
  });

  it('when outline.png is read, then it is 32×32, transparent in the corners and white wherever it shows', () => {
    const { width, height, rgba } = readPngRgba(outline);
    expect({ width, height }).toEqual({ width: 32, height: 32 });
    const alphaAt = (x: number, y: number): number => rgba[(y * width + x) * 4 + 3];
    expect([alphaAt(0, 0), alphaAt(31, 0), alphaAt(0, 31), alphaAt(31, 31)]).toEqual([0, 0, 0, 0]);
    let visible = 0;
    let notWhite = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] === 0) continue;
      visible++;
      if (rgba[i] !== 255 || rgba[i + 1] !== 255 || rgba[i + 2] !== 255) notWhite++;
    }
    expect(notWhite).toBe(0);
    expect(visible).toBeGreaterThan(100); // there is a glyph, not an empty square
    expect(visible).toBeLessThan(width * height); // and a transparent background around it
    expect(checkIcon('outline', outline)).toEqual([]);
  });

  it('when the outline icon has a coloured pixel or no transparency, then the icon check reports it', () => {
    const { width, height, rgba } = readPngRgba(outline);
    const withRed = Buffer.from(rgba);
    withRed.set([255, 0, 0, 255], (16 * width + 16) * 4);
    expect(checkIcon('outline', encodePng(width, height, withRed))).toEqual([
      'has 1 visible pixel(s) that are not white; it must be white on transparent',
    ]);
    const opaque = Buffer.alloc(width * height * 4, 255);
    expect(checkIcon('outline', encodePng(width, height, opaque))).toEqual([
      'has no transparent pixels; the background must be transparent',
    ]);
  });

  it('when an icon has the wrong size or is not a PNG, then the icon check reports it', () => {
    expect(checkIcon('color', outline)).toEqual(['is 32×32; Teams needs 192×192']);
    expect(checkIcon('outline', Buffer.from('GIF89a not a png at all, really'))).toEqual([
      'is not a PNG file',
    ]);
  });
});
