/**
 * The demo's support conversations: five verticals, English, Spanish and
 * German, several turns each. User lines and what the scripted stand-in model
 * answers are fixed here; tool results come from the backend in `tools.ts`.
 * Some replies commit to prices, times or refunds no tool result supports —
 * the hallucinations the inline checks exist to catch (marked `hallucinates`).
 */

export interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface ScriptedTurn {
  readonly user: string;
  /** Tools the model calls before answering. */
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** What the model finally says. */
  readonly reply: string;
  /** Which value in `reply` is made up, if any (first the value, then why); the stand-in judge looks for that value. */
  readonly hallucinates?: string;
  /** Stand-in model only: answer this turn this much later (a slow turn, for the latency outlier trigger). */
  readonly latencyMs?: number;
  /** Stand-in model only: report this many prompt tokens (a huge turn, for the token outlier trigger). */
  readonly promptTokens?: number;
}

export type Outcome = 'escalated' | 'booking_made' | 'ticket_created' | 'feedback_negative' | 'feedback_positive';

export interface Scenario {
  readonly id: string;
  readonly vertical: 'clinic' | 'salon' | 'bank' | 'ecommerce' | 'it_helpdesk';
  readonly language: 'en' | 'es' | 'de';
  readonly flow: string;
  readonly turns: readonly ScriptedTurn[];
  readonly outcomes?: readonly Outcome[];
  /** Stream the model's final answers (exercises streaming instrumentation). */
  readonly stream?: boolean;
}

export const scenarios: readonly Scenario[] = [
  {
    id: 'demo-clinic-001',
    vertical: 'clinic',
    language: 'en',
    flow: 'booking',
    turns: [
      {
        user: 'Hi, I need a dermatology appointment this week. What does a consultation cost?',
        toolCalls: [{ name: 'get_service_price', arguments: { service: 'dermatology_consultation' } }],
        reply: 'A dermatology consultation is $120. Would you like me to look for a time?',
      },
      {
        user: 'Yes please, Thursday if possible.',
        toolCalls: [{ name: 'find_slots', arguments: { service: 'dermatology_consultation', day: 'thursday' } }],
        reply: 'Dr. Patel has Thursday openings at 9:30 AM and 2:15 PM. Which one works for you?',
      },
      {
        user: 'The afternoon one.',
        toolCalls: [{ name: 'book_slot', arguments: { service: 'dermatology_consultation', slot: '2026-11-26T14:15' } }],
        reply: 'Done — you are booked for Thursday at 2:15 PM. Please arrive 10 minutes early. Your confirmation number is 48213.',
      },
    ],
    outcomes: ['booking_made'],
  },
  {
    id: 'demo-clinic-002',
    vertical: 'clinic',
    language: 'es',
    flow: 'booking',
    turns: [
      {
        user: 'Hola, ¿tienen cita con el fisioterapeuta el viernes?',
        toolCalls: [{ name: 'find_slots', arguments: { service: 'physiotherapy', day: 'friday' } }],
        reply: 'Sí, el viernes hay hueco a las 10:00 y a las 16:30.',
      },
      {
        user: '¿Y cuánto cuesta la sesión?',
        toolCalls: [{ name: 'get_service_price', arguments: { service: 'physiotherapy' } }],
        reply: 'La sesión de fisioterapia cuesta 45,00 € y la reservo para el viernes a las 17:30 si le parece bien.',
        hallucinates: '17:30 (the slots are 10:00 and 16:30)',
      },
    ],
  },
  {
    id: 'demo-salon-001',
    vertical: 'salon',
    language: 'en',
    flow: 'booking',
    turns: [
      {
        user: 'How much is a haircut and colour?',
        toolCalls: [{ name: 'get_service_price', arguments: { service: 'haircut' } }, { name: 'get_service_price', arguments: { service: 'colour' } }],
        reply: 'A haircut is $55 and colour is $85, so $140 for both together.',
      },
      {
        user: 'Great. And if I bring a friend for a haircut too?',
        reply: 'Two haircuts and one colour would come to $180 in total.',
        hallucinates: '$180 (two haircuts and a colour are $195)',
      },
    ],
    outcomes: ['feedback_positive'],
  },
  {
    id: 'demo-salon-002',
    vertical: 'salon',
    language: 'de',
    flow: 'booking',
    stream: true,
    turns: [
      {
        user: 'Hallo, wann haben Sie morgen einen Termin für eine Maniküre frei?',
        toolCalls: [{ name: 'find_slots', arguments: { service: 'manicure', day: 'tomorrow' } }],
        reply: 'Morgen ist um 11.00 Uhr oder um 15.30 Uhr frei. Eine Maniküre kostet 35 €.',
        hallucinates: '35 € (no price was looked up)',
      },
    ],
  },
  {
    id: 'demo-bank-001',
    vertical: 'bank',
    language: 'en',
    flow: 'card_dispute',
    turns: [
      {
        user: 'There is a charge on my card I did not make, from "TechGear Online".',
        toolCalls: [{ name: 'get_card_transactions', arguments: { merchant: 'TechGear Online' } }],
        reply: 'I can see a charge of $249.99 from TechGear Online on November 18. I can open a dispute for it.',
      },
      {
        user: 'Yes, please dispute it. Will I get my money back?',
        toolCalls: [{ name: 'open_dispute', arguments: { amount: 249.99, merchant: 'TechGear Online' } }],
        reply: 'Your dispute is open (case 55-10293). We will issue a provisional credit of $249.99 to your account, plus a $25 goodwill credit for the trouble.',
        hallucinates: 'the $25 goodwill credit',
      },
    ],
    outcomes: ['ticket_created'],
  },
  {
    id: 'demo-bank-002',
    vertical: 'bank',
    language: 'es',
    flow: 'card_dispute',
    turns: [
      {
        user: 'Me han cobrado dos veces la misma compra en el supermercado.',
        toolCalls: [{ name: 'get_card_transactions', arguments: { merchant: 'Supermercado Sol' } }],
        reply: 'Veo dos cargos de 63,40 € de Supermercado Sol el 20 de noviembre. Le tramito el reembolso de 63,40 € del cargo duplicado.',
      },
      {
        user: 'No me fío, quiero hablar con una persona.',
        toolCalls: [{ name: 'escalate_to_human', arguments: { reason: 'customer_request' } }],
        reply: 'Entendido, le paso con un agente. El tiempo de espera es de unos 5 minutos.',
      },
    ],
    outcomes: ['escalated', 'feedback_negative'],
  },
  {
    id: 'demo-ecommerce-001',
    vertical: 'ecommerce',
    language: 'en',
    flow: 'returns',
    turns: [
      {
        user: 'I want to return order 7731-2290, the jacket does not fit.',
        toolCalls: [{ name: 'get_order', arguments: { orderId: '7731-2290' } }],
        reply: 'Order 7731-2290 has the Alpine jacket at $189.00 and shipping of $9.95. Returns are free within 30 days.',
      },
      {
        user: 'OK, how much will I get back?',
        toolCalls: [{ name: 'get_return_policy', arguments: { orderId: '7731-2290' } }],
        reply: 'With the 10% restocking fee, your refund will be $170.10, issued within 5 business days of us receiving the jacket.',
      },
    ],
  },
  {
    id: 'demo-ecommerce-002',
    vertical: 'ecommerce',
    language: 'de',
    flow: 'returns',
    turns: [
      {
        user: 'Ich möchte die Bestellung 4410-8812 zurückgeben, die Schuhe sind zu klein.',
        toolCalls: [{ name: 'get_order', arguments: { orderId: '4410-8812' } }, { name: 'get_return_policy', arguments: { orderId: '4410-8812' } }],
        reply: 'Die Laufschuhe haben 129,90 € gekostet. Nach Eingang der Rücksendung erhalten Sie eine Erstattung von 129,90 €.',
      },
      {
        user: 'Und die Versandkosten?',
        reply: 'Die Versandkosten von 4,95 € erstatten wir ebenfalls – Sie bekommen also 139,85 € zurück.',
        hallucinates: '139,85 € (129,90 € + 4,95 € is 134,85 €, and the policy refunds no shipping)',
      },
    ],
  },
  {
    id: 'demo-it-001',
    vertical: 'it_helpdesk',
    language: 'en',
    flow: 'ticket',
    turns: [
      {
        user: 'My laptop will not connect to the VPN since the update to version 4.2.1.',
        toolCalls: [{ name: 'create_ticket', arguments: { summary: 'VPN fails after client 4.2.1 update' } }],
        reply: 'I have opened ticket INC-30412. A technician can call you today at 3 PM.',
        hallucinates: '3 PM (no slot was looked up)',
      },
      {
        user: 'Can it be earlier?',
        toolCalls: [{ name: 'find_slots', arguments: { service: 'it_callback', day: 'today' } }],
        reply: 'The earliest callback slot today is 11:45. I have noted it on ticket INC-30412.',
      },
    ],
    outcomes: ['ticket_created'],
  },
  {
    id: 'demo-it-002',
    vertical: 'it_helpdesk',
    language: 'en',
    flow: 'billing',
    turns: [
      {
        user: 'We are billed for 12 seats but removed 2 users last month. Can you fix that?',
        toolCalls: [{ name: 'get_subscription', arguments: { account: 'current' } }],
        reply: 'Your plan is $18 per seat per month. Removing 2 seats saves you $36 per month, and I will credit $36 for this month.',
      },
    ],
  },
];
