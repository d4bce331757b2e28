// Structured logging with pino; keys, tokens and authorization headers never reach a log line.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths pino censors wherever they appear in a logged object (one and two levels deep). */
const secretKeys = [
  'apiKey', 'token', 'botToken', 'appToken', 'signingSecret', 'authorization', 'Authorization',
  'password', 'secret', 'interactionToken',
];
const redactPaths = secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'headers.authorization',
  '*.headers.authorization',
  'config.providers.*.apiKey',
]);

/** Matches bearer tokens and the usual key shapes when they hide inside free text (error messages). */
const secretPattern = /(Bearer\s+)[A-Za-z0-9._~+/=-]+|\b(sk-|xox[abpr]-|xapp-)[A-Za-z0-9-]+/g;

/** Replaces secrets found inside free text. */
export function scrubSecrets(text: string): string {
  return text.replace(secretPattern, (_match, bearer: string | undefined, prefix: string | undefined) =>
    bearer ? `${bearer}[Redacted]` : `${prefix ?? ''}[Redacted]`,
  );
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr by default so stdout stays for program output (the CLI prints paths). */
  destination?: DestinationStream;
}

/** The bot's root logger. Children add bindings (`logger.child({ jobId })`). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[Redacted]' },
      serializers: {
        err: (error: unknown) => {
          const serialized = pino.stdSerializers.err(error as Error);
          serialized.message = scrubSecrets(serialized.message);
          if (serialized.stack) serialized.stack = scrubSecrets(serialized.stack);
          return serialized;
        },
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((argument) => (typeof argument === 'string' ? scrubSecrets(argument) : argument));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that writes nothing (tests, and code paths before configuration). */
export const silentLogger: Logger = pino({ level: 'silent' });
