import { Injectable } from '@nestjs/common';
import { type Env } from './env.schema';

/** The validated configuration, read once at boot; inject this instead of reading process.env. */
@Injectable()
export class AppConfig {
  constructor(private readonly env: Env) {}

  get<K extends keyof Env>(key: K): Env[K] {
    return this.env[key];
  }
}
