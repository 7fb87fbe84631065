// The TypeORM CLI's entry (migration:generate / revert); the app builds its own from the same options.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadDatabaseUrl, loadDotEnv } from '../config/load-config';
import { dataSourceOptions } from './data-source-options';

loadDotEnv();
export const AppDataSource = new DataSource(dataSourceOptions(loadDatabaseUrl()));
