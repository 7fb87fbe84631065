import { Global, Injectable, Module } from '@nestjs/common';

/**
 * "Now" for business rules that depend on the calendar (usage months and days in the account's
 * time zone). Tests move it to cross a month boundary; nothing else sets it.
 */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Makes `now()` read `at` from this moment on (null: real time again). */
  travelTo(at: Date | null): void {
    this.offsetMs = at === null ? 0 : at.getTime() - Date.now();
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
