/** Every Bull queue, named once so producers and processors cannot disagree on a string. */
export const QueueName = {
  System: 'system',
  Installation: 'installation',
  Ai: 'ai',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
