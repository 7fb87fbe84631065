import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { guardPool } from './pool-guard';
import {
  ConnectionBudgetCheck,
  CONNECTIONS_NEEDED,
  type ConnectionsNeeded,
} from './connection-budget';
import { PostgresSettingsRepository } from './postgres-settings.repository';

/** TypeORM's pool survives a PostgreSQL restart (see guardPool). */
@Injectable()
class AppPoolGuard implements OnModuleInit {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onModuleInit(): void {
    guardPool((this.db.driver as unknown as { master: Pool }).master, 'app');
  }
}

/** `needed`: the settings whose sum this process may open, checked against PostgreSQL at start. */
@Module({})
export class DatabaseModule {
  static forRoot(needed: ConnectionsNeeded): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.get('DATABASE_URL'), config.get('DATABASE_POOL_SIZE')),
            // Boot already checked PostgreSQL; later outages are reported by /health, not retried.
            retryAttempts: 0,
            // Each module registers its entities with TypeOrmModule.forFeature.
            autoLoadEntities: true,
          }),
        }),
      ],
      providers: [
        AppPoolGuard,
        PostgresSettingsRepository,
        ConnectionBudgetCheck,
        { provide: CONNECTIONS_NEEDED, useValue: needed },
      ],
    };
  }
}
