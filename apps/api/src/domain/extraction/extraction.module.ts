import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FieldsModule } from '../fields/fields.module';
import { AccountCatalogs } from './account-catalog';
import { ExtractionProfile } from './extraction-profile.entity';
import { ExtractionProfilesRepository } from './extraction-profiles.repository';
import { ExtractionProfilesService } from './extraction-profiles.service';
import { ExtractionRunner } from './extraction-runner';

/** Extraction profiles (issue 23): the widget edits them, the ChatGPT webhook runs them. */
@Module({
  imports: [TypeOrmModule.forFeature([ExtractionProfile]), FieldsModule],
  providers: [
    ExtractionProfilesRepository,
    AccountCatalogs,
    ExtractionProfilesService,
    ExtractionRunner,
  ],
  exports: [ExtractionProfilesService, ExtractionRunner],
})
export class ExtractionModule {}
