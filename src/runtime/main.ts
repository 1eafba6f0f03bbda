/**
 * `npm start`: the settings from the environment, the bot started, and the process signals. A bad
 * setting or a failed start ends the process with the reason; SIGTERM or SIGINT closes the bot.
 */
import { type Config, ConfigError, loadConfig } from '../config';
import type { Logger } from '../logger';

export interface StoppableBot {
  logger: Logger;
  close(): Promise<void>;
}

export async function main(startBot: (config: Config) => Promise<StoppableBot>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the settings table in README.md.\n`);
      process.exit(1);
    }
    throw error;
  }

  let running: StoppableBot;
  try {
    running = await startBot(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Could not start the bot: ${message}\n`);
    process.exit(1);
  }

  const stop = (signal: NodeJS.Signals): void => {
    running.logger.info('Signal received', { signal });
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        running.logger.error('Shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
