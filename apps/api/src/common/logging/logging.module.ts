import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { redactUrl } from './redact-url';

// JSON lines with the request id Fastify assigned (see create-http-app). Bodies, headers and tokens never reach a log line: the request
// serializer keeps only method, redacted URL and id.
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // The webhooks write their own access line (webhook-access-log.ts): pino-http builds a
        // child logger per request even when the line is at debug (docs/performance.md, run 1).
        exclude: [
          { method: RequestMethod.POST, path: ':token/handler' },
          { method: RequestMethod.POST, path: ':token/widget-request' },
        ],
        pinoHttp: {
          level: config.get('LOG_LEVEL'),
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: redactUrl(req.url),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          redact: {
            paths: ['*.authorization', '*.password', '*.token', '*.apiKey'],
            censor: '[redacted]',
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
