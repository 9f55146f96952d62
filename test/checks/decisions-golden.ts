/**
 * Fingerprints of what the commitment checks decide, so that work on their speed
 * cannot change a decision unnoticed: for each case, a hash of every value the
 * extraction finds, every fact a source grounds and every result the three
 * checks return (labels, explanations, details). Cases: the labelled replies with
 * their sources, the benchmark's replies and sources, and seeded variations of
 * them (edits, case flips, odd characters, runs of digits and separators).
 *
 * The fingerprints in fixtures/decisions.golden.txt were written by the checks
 * before the speed work. Rewrite them only for a reviewed change of decisions:
 *
 *   node test/checks/decisions-golden.ts --write
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Conversation, GroundingSource, Turn } from '../../src/model/conversation.ts';
import type { EvaluationResult } from '../../src/model/evaluation-result.ts';
import { REPLIES, SOURCES, TYPICAL_REPLIES } from '../../bench/checks-throughput.ts';
import { loadLabelledRows } from './precision-recall.ts';
import { seededRandom } from '../../src/offline/compare/stats.ts';

export const GOLDEN = fileURLToPath(new URL('./fixtures/decisions.golden.txt', import.meta.url));

/** The parts of src/checks a case runs (loaded by URL, so the fingerprints can be written by another copy of it). */
export interface CheckModules {
  readReplyFacts(text: string, maxScannedChars?: number): unknown;
  runChecks(checks: readonly unknown[], turn: Turn, conversation: Conversation): EvaluationResult[];
  builtinChecks: readonly unknown[];
  scanValues(text: string, options?: { liberal?: boolean; numbers?: boolean }): { start: number; minor?: number; currency?: string | null }[];
  scanTimeWords(text: string): unknown;
  readSourceFacts(text: string, sink: object): void;
  GroundingIndex: new () => {
    update(sources: readonly GroundingSource[]): unknown;
    supportOf(minor: number, currency: string | null): unknown;
    hasTime(minutes: number, alternate?: number): boolean;
    hasPercent(percent: number): boolean;
    readonly skippedSources: number;
  };
}

export async function loadCheckModules(root = new URL('../../src/checks/', import.meta.url).href): Promise<CheckModules> {
  const base = root.endsWith('/') ? root : `${root}/`;
  const index = await import(new URL('index.ts', base).href);
  const sourceFacts = await import(new URL('source-facts.ts', base).href);
  return { ...index, readSourceFacts: sourceFacts.readSourceFacts } as CheckModules;
}

export interface DecisionCase {
  readonly id: string;
  /** Read as a reply and as a source. */
  readonly text: string;
  /** When set, `text` is also checked as the reply of a conversation with these sources. */
  readonly sources?: readonly GroundingSource[];
}

const VARIATIONS = 3000;

export function decisionCases(): DecisionCase[] {
  const cases: DecisionCase[] = [];
  const rows = loadLabelledRows();
  for (const row of rows) cases.push({ id: row.id, text: row.reply, sources: row.sources });
  [...REPLIES, ...TYPICAL_REPLIES].forEach((reply, i) => cases.push({ id: `bench-reply-${i}`, text: reply, sources: SOURCES }));
  SOURCES.forEach((source, i) => cases.push({ id: `bench-source-${i}`, text: String(source.text) }));
  const texts = [...rows.flatMap((row) => [row.reply, ...row.sources.map((source) => String(source.text))]), ...REPLIES, ...TYPICAL_REPLIES];
  const random = seededRandom(20261123);
  for (let i = 0; i < VARIATIONS; i++) {
    const kind = random();
    const text = kind < 0.55 ? vary(texts[Math.floor(random() * texts.length)], texts, random) : kind < 0.8 ? tokens(random) : soup(random);
    const row = rows[Math.floor(random() * rows.length)];
    cases.push({ id: `variation-${i}`, text, sources: i % 3 === 0 ? row.sources : undefined });
  }
  return cases;
}

/** The hash of everything the checks decide about one case. */
export function fingerprint(checks: CheckModules, decisionCase: DecisionCase): string {
  const { text, sources } = decisionCase;
  const decided: unknown[] = [
    checks.readReplyFacts(text),
    checks.readReplyFacts(text, 40),
    checks.scanValues(text, { liberal: true, numbers: true }),
    checks.scanTimeWords(text),
    factsOfSource(checks, text),
  ];
  if (sources !== undefined) {
    const turn: Turn = { conversationId: decisionCase.id, traceId: 't', spanId: 's', reply: [], replyText: text, toolCalls: [] };
    decided.push(checks.runChecks(checks.builtinChecks, turn, { id: decisionCase.id, sources: [...sources] }));
    const index = new checks.GroundingIndex();
    index.update(sources);
    const amounts = checks.scanValues(text, { numbers: true }).filter((value) => value.minor !== undefined);
    decided.push(
      index.skippedSources,
      amounts.map((value) => [index.supportOf(value.minor as number, value.currency ?? null), index.supportOf((value.minor as number) * 2, 'EUR')]),
      [0, 30, 540, 720, 870, 1020, 1439].map((minutes) => index.hasTime(minutes, minutes + 720)),
      [5, 10, 12.5, 15, 20, 50, 100].map((percent) => index.hasPercent(percent)),
    );
  }
  return createHash('sha256').update(JSON.stringify(decided)).digest('hex').slice(0, 16);
}

function factsOfSource(checks: CheckModules, text: string): unknown[] {
  const facts: unknown[] = [];
  checks.readSourceFacts(text, {
    addAmount: (minor: number, currency: string | null, operand: boolean) => facts.push(['amount', minor, currency, operand]),
    addQuantity: (quantity: number) => facts.push(['quantity', quantity]),
    addPercent: (percent: number) => facts.push(['percent', percent]),
    addTime: (minutes: number) => facts.push(['time', minutes]),
  });
  return facts;
}

export function readGolden(path = GOLDEN): Map<string, string> {
  const golden = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [id, hash] = line.split(' ');
    golden.set(id, hash);
  }
  return golden;
}

// Seeded variations: the same every run, so the fingerprints stay comparable.
const TOKENS = [
  '12:30', '9h', '14h30', '2 PM', '2.30pm', '2 p.m.', '10 a. m.', '9–17 Uhr', '9-5pm', '18 h', '€45', '45 €', '45\u00a0€', '1\u202f250,00 €',
  'US$ 45', 'C$60', '$2k', '3K EUR', '45,- €', 'CHF 45.–', 'Fr. 50', "1'250.50", '1.250,00', '1,250.00', '50%', '50 %', '12,5 %',
  '20 percent', 'noon', 'NOON', 'Mediodía', 'half past two', 'Quarter to ten', "three o'clock", 'five o’clock', 'a las dos y media',
  'hasta la una de la tarde', 'halb drei', 'à deux heures et demie', 'vers onze heures', 'refund', 'REFUND', 'non-refundable',
  'reembolso', 'no reembolsable', 'Rückerstattung', 'erstatten', 'zurück', 'back', 'money back', 'credit card', 'credited', 'crédito',
  'abono', 'un avoir', 'remboursé', 'rendre', 'reversed', 'gutgeschrieben', 'schreiben Ihnen 4,80 € gut', 'zahlen Ihnen 20 € zurück',
  '"price": 45', '"amount_cents": 4500', '"currency":"EUR"', '"currency": "usd"', '"discount_pct": 10', '"order_id": 4599', '"nights": 2',
  '"total":179.80', '"fee":"12.50"', '"rate": -3.5 }', '2026-11-24T14:30:00', '2026-11-24', '12.05.2024', '1/2/25', 'x3', '3×', '#4521',
  'order 4599', 'Nr. 4711', 'costs 14.99', 'kostet 29,90', 'two nights', 'tres noches', 'full refund', 'remboursement intégral',
  'v2.3.1', '0.125', '+34 910 555 123', 'INC-40211', 'BK77120', '1:30 hours', 'dans 2 h', 'à 9h', 'à partir de 15h', ' that is ',
  ', soit ', ' but ', ' not ', 'İ', 'ſ', 'K', 'Ÿ', '\u2009', '’', '–', '—', '$', '€', '£', '¥', '₹', 'k', 'K', 'h', 'Uhr', 'am', 'PM',
  'USD', 'EUR', 'dollars', 'Euro', 'cents', 'céntimos', '0', '1', '9', '00', '30', '99', '100', '24', '25:00', '12:75', 'las', 'de',
];
const SEPARATORS = [' ', ' ', ' ', '', '\u00a0', ', ', '. ', ': ', '-', '/', '\n'];
const SOUP = '0123456789012345678901234567890123456789..//,,::--–h €$%kKapmPMUhr \u00a0\u202f\'#xX×+TZ';

function vary(text: string, texts: readonly string[], random: () => number): string {
  let varied = text;
  const edits = 1 + Math.floor(random() * 6);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(random() * (varied.length + 1));
    const edit = random();
    let insert = '';
    let cut = 0;
    if (edit < 0.45) insert = TOKENS[Math.floor(random() * TOKENS.length)];
    else if (edit < 0.55) cut = 1 + Math.floor(random() * 5);
    else if (edit < 0.65) {
      const other = texts[Math.floor(random() * texts.length)];
      const from = Math.floor(random() * other.length);
      insert = other.slice(from, from + Math.floor(random() * 80));
    } else if (edit < 0.8) {
      const char = varied.charAt(at);
      insert = char === char.toUpperCase() ? char.toLowerCase() : char.toUpperCase();
      cut = 1;
    } else insert = String.fromCharCode(Math.floor(random() * 0x300));
    varied = varied.slice(0, at) + insert + varied.slice(at + cut);
  }
  return varied;
}

function tokens(random: () => number): string {
  let text = '';
  const count = Math.floor(random() * 30);
  for (let i = 0; i < count; i++) text += TOKENS[Math.floor(random() * TOKENS.length)] + SEPARATORS[Math.floor(random() * SEPARATORS.length)];
  return text;
}

function soup(random: () => number): string {
  let text = '';
  const count = Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    text += random() < 0.1 ? TOKENS[Math.floor(random() * TOKENS.length)] : SOUP[Math.floor(random() * SOUP.length)];
  }
  return text;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--write')) {
  // CHECKS_ROOT: another copy of src/checks (a URL or a path) to write the fingerprints with.
  const root = process.env.CHECKS_ROOT;
  const checks = await loadCheckModules(root === undefined ? undefined : root.startsWith('file:') ? root : pathToFileURL(root).href);
  const lines = ['# id fingerprint — written by test/checks/decisions-golden.ts --write; see there before rewriting'];
  for (const decisionCase of decisionCases()) lines.push(`${decisionCase.id} ${fingerprint(checks, decisionCase)}`);
  writeFileSync(GOLDEN, `${lines.join('\n')}\n`);
  console.log(`${lines.length - 1} fingerprints written to ${GOLDEN}`);
}
