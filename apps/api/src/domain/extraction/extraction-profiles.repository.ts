import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { ExtractionProfile } from './extraction-profile.entity';

export type ExtractionProfileColumns = Pick<
  ExtractionProfile,
  'installationId' | 'name' | 'items' | 'rules'
>;

/** extraction_profiles: every statement is scoped by installation, so accounts never mix. */
@Injectable()
export class ExtractionProfilesRepository {
  constructor(
    @InjectRepository(ExtractionProfile) private readonly profiles: Repository<ExtractionProfile>,
  ) {}

  listOf(installationId: string): Promise<ExtractionProfile[]> {
    return this.profiles.find({ where: { installationId }, order: { name: 'ASC' } });
  }

  find(installationId: string, name: string): Promise<ExtractionProfile | null> {
    return this.profiles.findOneBy({ installationId, name });
  }

  countOf(installationId: string): Promise<number> {
    return this.profiles.countBy({ installationId });
  }

  async upsert(row: ExtractionProfileColumns): Promise<void> {
    await this.profiles.query(
      `INSERT INTO extraction_profiles (installation_id, name, items, rules)
       VALUES ($1, $2, $3::jsonb, $4::jsonb)
       ON CONFLICT (installation_id, name) DO UPDATE SET
         items = EXCLUDED.items, rules = EXCLUDED.rules, updated_at = now()`,
      [row.installationId, row.name, JSON.stringify(row.items), JSON.stringify(row.rules)],
    );
  }

  async delete(installationId: string, name: string): Promise<boolean> {
    const result = await this.profiles.delete({ installationId, name });
    return (result.affected ?? 0) > 0;
  }
}
