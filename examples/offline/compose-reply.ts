/** The stand-in model's replies, composed from tool results only (English or Spanish). */

export interface ToolResult {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
  readonly result: any;
}

type Language = 'en' | 'es';

const LABELS: Record<string, [string, string]> = {
  dermatology_consultation: ['A dermatology consultation', 'Una consulta de dermatología'],
  physiotherapy: ['A physiotherapy session', 'Una sesión de fisioterapia'],
  haircut: ['A haircut', 'Un corte de pelo'],
  colour: ['A colour treatment', 'Un tinte'],
};

export function money(amount: number, currency: string): string {
  const value = Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
  return currency === 'EUR' ? `€${value}` : `$${value}`;
}

function clock(slot: string): string {
  return slot.slice(11, 16);
}

export function composeReply(results: readonly ToolResult[], language: Language, misstate: ReadonlySet<string>): string {
  const es = language === 'es';
  const lines: string[] = [];
  const prices: { amount: number; currency: string }[] = [];
  for (const { name, result } of results) {
    if (result?.error) {
      lines.push(es ? 'No encontré esa información.' : 'I could not find that information.');
      continue;
    }
    if (name === 'get_service_price') {
      // The regression under test: a wrong price for some services, 20% too high.
      const amount = misstate.has(result.service) ? Math.round(result.price * 1.2) : result.price;
      prices.push({ amount, currency: result.currency });
      const [en, sp] = LABELS[result.service] ?? [result.service, result.service];
      lines.push(`${es ? sp : en} ${es ? 'cuesta' : 'costs'} ${money(amount, result.currency)}.`);
    } else if (name === 'find_slots') {
      const times = (result.slots as string[]).map(clock);
      lines.push(times.length ? `${es ? 'Horas libres' : 'Open times'}: ${times.join(es ? ' y ' : ' and ')}.` : es ? 'No hay horas libres.' : 'There are no open times.');
    } else if (name === 'book_slot') {
      lines.push(es ? `Reservado a las ${clock(result.slot)}, confirmación ${result.confirmation}.` : `Booked for ${clock(result.slot)}, confirmation ${result.confirmation}.`);
    } else if (name === 'get_card_transactions') {
      const list = result.transactions as { amount: number; currency: string; merchant: string }[];
      const shown = list.map((tx) => money(tx.amount, tx.currency)).join(', ');
      lines.push(es ? `Encontré ${list.length} cargo(s): ${shown}.` : `I found ${list.length} charge(s): ${shown}.`);
    } else if (name === 'open_dispute') {
      lines.push(es ? `Disputa ${result.caseId} abierta.` : `Dispute ${result.caseId} is open.`);
    } else if (name === 'get_order') {
      const item = result.items[0];
      lines.push(`${es ? 'Pedido' : 'Order'} ${result.orderId}: ${item.name} ${money(item.price, result.currency)}, ${es ? 'envío' : 'shipping'} ${money(result.shipping, result.currency)}.`);
    } else if (name === 'get_return_policy') {
      lines.push(es ? `Puede devolverlo en ${result.returnWindowDays} días.` : `You can return it within ${result.returnWindowDays} days.`);
    } else if (name === 'create_ticket') {
      lines.push(es ? `Incidencia ${result.ticketId} creada.` : `Ticket ${result.ticketId} created.`);
    } else if (name === 'get_subscription') {
      lines.push(es ? `Plan ${result.plan}: ${result.seats} licencias.` : `${result.plan} plan: ${result.seats} seats.`);
    } else if (name === 'escalate_to_human') {
      lines.push(es ? 'Le paso con una persona del equipo.' : 'I am passing you to a human colleague.');
    }
  }
  if (prices.length === 2 && prices[0].currency === prices[1].currency) {
    lines.push(`${es ? 'En total' : 'Together'}: ${money(prices[0].amount + prices[1].amount, prices[0].currency)}.`);
  }
  if (lines.length === 0) return es ? '¿En qué puedo ayudarle?' : 'How can I help you?';
  return lines.join(' ');
}
