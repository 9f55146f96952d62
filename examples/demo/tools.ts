/**
 * The demo agent's tools over a small in-memory backend. Tool results are
 * computed here, never scripted: the checks ground replies against them.
 */

const servicePrices: Record<string, { price: number; currency: string }> = {
  dermatology_consultation: { price: 120, currency: 'USD' },
  physiotherapy: { price: 45, currency: 'EUR' },
  haircut: { price: 55, currency: 'USD' },
  colour: { price: 85, currency: 'USD' },
};

const slots: Record<string, string[]> = {
  'dermatology_consultation/thursday': ['2026-11-26T09:30', '2026-11-26T14:15'],
  'physiotherapy/friday': ['2026-11-27T10:00', '2026-11-27T16:30'],
  'manicure/tomorrow': ['2026-11-24T11:00', '2026-11-24T15:30'],
  'it_callback/today': ['2026-11-23T11:45', '2026-11-23T16:00'],
};

const transactions: Record<string, unknown[]> = {
  'TechGear Online': [{ id: 'tx_88120', date: '2026-11-18', merchant: 'TechGear Online', amount: 249.99, currency: 'USD' }],
  'Supermercado Sol': [
    { id: 'tx_90211', date: '2026-11-20', merchant: 'Supermercado Sol', amount: 63.4, currency: 'EUR' },
    { id: 'tx_90212', date: '2026-11-20', merchant: 'Supermercado Sol', amount: 63.4, currency: 'EUR' },
  ],
};

const orders: Record<string, unknown> = {
  '7731-2290': { orderId: '7731-2290', items: [{ name: 'Alpine jacket', price: 189.0 }], shipping: 9.95, currency: 'USD' },
  '4410-8812': { orderId: '4410-8812', items: [{ name: 'Laufschuhe', price: 129.9 }], shipping: 4.95, currency: 'EUR' },
};

const returnPolicies: Record<string, unknown> = {
  '7731-2290': { returnWindowDays: 30, restockingFeePercent: 10, shippingRefunded: false },
  '4410-8812': { returnWindowDays: 30, restockingFeePercent: 0, shippingRefunded: false },
};

type ToolImplementation = (args: Record<string, any>) => unknown;

export const tools: Record<string, ToolImplementation> = {
  get_service_price: ({ service }) => ({ service, ...(servicePrices[service] ?? { error: 'unknown service' }) }),
  find_slots: ({ service, day }) => ({ service, day, slots: slots[`${service}/${day}`] ?? [] }),
  book_slot: ({ service, slot }) => ({ booked: true, service, slot, confirmation: '48213' }),
  get_card_transactions: ({ merchant }) => ({ transactions: transactions[merchant] ?? [] }),
  open_dispute: ({ amount, merchant }) => ({ caseId: '55-10293', merchant, provisionalCredit: amount, status: 'open' }),
  escalate_to_human: ({ reason }) => ({ queued: true, reason, estimatedWaitMinutes: 5 }),
  get_order: ({ orderId }) => orders[orderId] ?? { error: `order ${orderId} not found` },
  get_return_policy: ({ orderId }) => returnPolicies[orderId] ?? { error: 'no policy' },
  create_ticket: ({ summary }) => ({ ticketId: 'INC-30412', summary, priority: 'P3' }),
  get_subscription: () => ({ plan: 'Team', seats: 12, pricePerSeat: 18, currency: 'USD', billing: 'monthly' }),
};

/** OpenAI function-tool definitions the agent offers the model. */
export const toolDefinitions = Object.keys(tools).map((name) => ({
  type: 'function' as const,
  function: { name, description: `Backend call ${name}.`, parameters: { type: 'object', properties: {}, additionalProperties: true } },
}));

export function runTool(name: string, args: Record<string, unknown>): unknown {
  const implementation = tools[name];
  if (!implementation) return { error: `unknown tool ${name}` };
  return implementation(args);
}
