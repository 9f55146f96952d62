import { z } from 'zod';
import type { ConfigSection } from './section.ts';
import { conversationsSection } from './conversations.ts';
import { checksSection } from './checks.ts';
import { samplingSection } from './sampling.ts';
import { judgeSection } from './judge.ts';
import { forwardSection } from './forward.ts';
import { receiverSection } from './receiver.ts';
import { metricsSection } from './metrics.ts';
import { reviewSection } from './review.ts';
import { storeSection } from './store.ts';
import { privacySection } from './privacy.ts';
import { offlineSection } from './offline.ts';
import { eventsSection } from './events.ts';
import { joinSection } from './join.ts';

/**
 * The config file, section by section. A new section is a file of its own
 * (see conversations.ts) plus one line here; nothing else changes.
 */
export const configSections = {
  conversations: conversationsSection,
  checks: checksSection,
  sampling: samplingSection,
  judge: judgeSection,
  forward: forwardSection,
  receiver: receiverSection,
  metrics: metricsSection,
  review: reviewSection,
  store: storeSection,
  privacy: privacySection,
  offline: offlineSection,
  events: eventsSection,
  join: joinSection,
} as const satisfies Record<string, ConfigSection>;

type SectionShape<T extends Record<string, ConfigSection>> = { -readonly [K in keyof T]: T[K]['schema'] };

function shapeOf<T extends Record<string, ConfigSection>>(sections: T): SectionShape<T> {
  const shape = {} as Record<string, z.ZodType>;
  for (const [key, section] of Object.entries(sections)) shape[key] = section.schema;
  return shape as SectionShape<T>;
}

/** Strict at every level: an unknown key is a typo until proven otherwise. */
export const TracejudgeConfigSchema = z.strictObject(shapeOf(configSections));

/** The validated config with every default filled in. */
export type TracejudgeConfig = z.output<typeof TracejudgeConfigSchema>;
/** What a file or a library caller may write: every section and field optional. */
export type TracejudgeConfigInput = z.input<typeof TracejudgeConfigSchema>;
