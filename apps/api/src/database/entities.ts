import { InstallationField } from '../modules/installation/installation-field.entity';
import { Installation } from '../modules/installation/installation.entity';

/** Every TypeORM entity, listed so the app and the CLI load the same set in src and in dist. */
export const ENTITIES = [Installation, InstallationField];
