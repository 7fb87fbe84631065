export * from './contracts/health.js';
export * from './contracts/api-error.js';
export * from './contracts/error-classes.js';
export * from './constants/lead-fields.js';
export * from './contracts/widget-api.js';
export * from './contracts/provider-settings.js';
export * from './contracts/widget-panel.js';
export * from './contracts/admin-api.js';
