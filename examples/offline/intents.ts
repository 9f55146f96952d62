import type { ToolResult } from './compose-reply.ts';

/** Which backend calls a user's words ask for (English and Spanish), given the results already in. */

export interface PlannedCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

const SERVICES: [RegExp, string][] = [
  [/dermatolog/, 'dermatology_consultation'],
  [/physio|fisio/, 'physiotherapy'],
  [/haircut|corte/, 'haircut'],
  [/colou?r|tinte/, 'colour'],
  [/manicur/, 'manicure'],
  [/callback|llamada/, 'it_callback'],
];
const DAYS: [RegExp, string][] = [
  [/thursday|jueves/, 'thursday'],
  [/friday|viernes/, 'friday'],
  [/tomorrow|mañana/, 'tomorrow'],
  [/today|hoy/, 'today'],
];
const MERCHANTS = ['TechGear Online', 'Supermercado Sol'];

export function plannedToolCalls(userText: string, done: readonly ToolResult[]): PlannedCall[] {
  const text = userText.toLowerCase();
  const made = new Set(done.map((call) => call.name));
  const services = SERVICES.filter(([pattern]) => pattern.test(text)).map(([, service]) => service);
  const day = DAYS.find(([pattern]) => pattern.test(text))?.[1];
  const calls: PlannedCall[] = [];
  const wants = (pattern: RegExp) => pattern.test(text);

  if (wants(/human|person|persona|humano|supervisor/)) return made.has('escalate_to_human') ? [] : [{ name: 'escalate_to_human', arguments: { reason: userText.slice(0, 80) } }];
  if (wants(/cost|price|how much|cuánto|cuanto|precio|cuesta/) && !made.has('get_service_price')) {
    for (const service of services) calls.push({ name: 'get_service_price', arguments: { service } });
  }
  if (day && services.length > 0 && wants(/slot|available|opening|time|hueco|hora|disponib|book|reserv/) && !made.has('find_slots')) {
    calls.push({ name: 'find_slots', arguments: { service: services[0], day } });
  }
  if (wants(/\bbook|reserv/) && made.has('find_slots') && !made.has('book_slot')) {
    const slots = (done.find((call) => call.name === 'find_slots')?.result as { slots?: string[] }).slots ?? [];
    if (slots.length > 0) calls.push({ name: 'book_slot', arguments: { service: services[0], slot: slots[0] } });
  }
  const merchant = MERCHANTS.find((name) => text.includes(name.toLowerCase()));
  if (merchant && !made.has('get_card_transactions')) calls.push({ name: 'get_card_transactions', arguments: { merchant } });
  if (merchant && wants(/dispute|disputa|reclam/) && made.has('get_card_transactions') && !made.has('open_dispute')) {
    const transactions = (done.find((call) => call.name === 'get_card_transactions')?.result as { transactions: { amount: number }[] }).transactions;
    if (transactions.length > 0) calls.push({ name: 'open_dispute', arguments: { merchant, amount: transactions[0].amount } });
  }
  const orderId = /\b\d{4}-\d{4}\b/.exec(text)?.[0];
  if (orderId && !made.has('get_order') && !wants(/return|devol/)) calls.push({ name: 'get_order', arguments: { orderId } });
  if (orderId && wants(/return|devol/) && !made.has('get_return_policy')) calls.push({ name: 'get_return_policy', arguments: { orderId } });
  if (wants(/subscription|suscripci|seats|licencias|plan\b/) && !made.has('get_subscription')) calls.push({ name: 'get_subscription', arguments: {} });
  if (wants(/not working|broken|no funciona|error|crash|vpn|printer|impresora/) && !made.has('create_ticket')) {
    calls.push({ name: 'create_ticket', arguments: { summary: userText.slice(0, 80) } });
  }
  return calls;
}
