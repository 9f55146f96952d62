/**
 * Throughput of the deterministic commitment checks (src/checks) on ~1 KB
 * realistic replies against a realistic conversation (8 grounding sources).
 * Target (issue): extraction + grounding ≥ 100,000 replies/s on one core.
 *
 *   node bench/checks-throughput.ts
 *
 * Each run checks fresh Turn objects (the per-turn cache never hits across runs);
 * the conversation's grounding index is warm, as in the processor, except in the
 * "cold" row, where every reply comes with a new conversation object.
 * Same-run baselines: one `indexOf` scan and one single-regex number scan over the same replies.
 * Time is this process's CPU time (user + system), not wall time: on a shared
 * 2-core machine wall time mostly measures the neighbours.
 */
import { cpus, loadavg } from 'node:os';
import type { Conversation, GroundingSource, Turn } from '../src/model/conversation.ts';
import { builtinChecks, readReplyFacts, runChecks } from '../src/checks/index.ts';
import { median, runSuite, type BenchRow } from './bench-table.ts';


export const SOURCES: GroundingSource[] = [
  { kind: 'system_instructions', text: 'You are the assistant of Clínica Norte and Salon Lumière. Quote prices only from tool results. Cancellations under 24 hours: 50% refund; otherwise a full refund. Opening hours 9:00–18:00, Saturdays 10:00–14:00. Never promise a refund before the case is approved. Support line +34 910 555 123.' },
  { kind: 'user_message', text: 'Hi, I need an appointment for me and my daughter next week, ideally Tuesday afternoon. Order 458812 was charged twice, 89.90 each time.' },
  { kind: 'tool_result', text: '{"slots":["2026-11-24T14:30:00","2026-11-24T15:00:00","2026-11-24T16:15:00"],"service":"consultation","price":65,"currency":"EUR","duration_min":30}' },
  { kind: 'tool_result', text: '{"order_id":"458812","items":[{"sku":"JK-221","name":"Rain jacket","qty":2,"unit_price":89.90}],"total":179.80,"charges":[{"amount":89.90,"at":"2026-11-20T10:02:11Z"},{"amount":89.90,"at":"2026-11-20T10:02:14Z"}],"currency":"EUR"}' },
  { kind: 'retrieved_context', text: 'Returns policy (v3.2): items can be returned within 30 days. Refunds are issued to the original payment method within 5–7 business days. A restocking fee of 15% applies to opened electronics. Express shipping costs €9.95 and is not refundable.' },
  { kind: 'user_message', text: 'Tuesday at 14:30 works. Can you also check the refund for the double charge?' },
  { kind: 'tool_result', text: '{"case_id":"CS-20431","status":"approved","refund_amount":89.90,"refund_method":"card","eta_days":5}' },
  { kind: 'tool_result', text: '{"booking_id":"BK-77120","start":"2026-11-24T14:30:00+01:00","patients":2,"price_per_patient":65.00,"deposit":20}' },
];

export const REPLIES: string[] = [
  'Thank you for your patience, and sorry about the double charge on order 458812. I have checked the case (CS-20431): it has been approved, and a refund of €89.90 will go back to your card within 5 business days — you do not need to do anything else. About the appointment: I have booked two consultations for Tuesday, 24 November at 14:30, one for you and one for your daughter, under booking BK-77120. Each consultation is €65.00, so the total is €130.00, of which a deposit of €20 is due now. If you need to move it, we also have 15:00 and 16:15 that afternoon. Our opening hours are 9:00 to 18:00 on weekdays. Please bring your insurance card and arrive ten minutes early; the consultation itself takes about 30 minutes. If you cancel less than 24 hours before, we refund 50% of the price, that is €32.50 per consultation. Anything else I can help with today? You can also reach us on +34 910 555 123 if anything changes. Have a lovely day!',
  'Gracias por su paciencia. He revisado el pedido 458812: efectivamente se le cobró dos veces 89,90 €. El caso CS-20431 ya está aprobado y le reembolsaremos 89,90 € en su tarjeta en un plazo de 5 días hábiles. En cuanto a la cita, la he reservado para el martes 24 de noviembre a las 14:30 para usted y su hija; cada consulta cuesta 65 € y el total asciende a 130 €. Hoy solo tiene que abonar una señal de 20 €. Si prefiere otra hora, también quedan huecos a las 15:00 y a las 16:15. Le recordamos que, si cancela con menos de 24 horas de antelación, se le devolverá el 50 %. La consulta dura unos 30 minutos; le rogamos que llegue diez minutos antes. Nuestro horario es de 9:00 a 18:00 de lunes a viernes. Para cualquier cambio puede llamarnos al +34 910 555 123. ¿Puedo ayudarle en algo más? ¡Que tenga un buen día y gracias por confiar en nosotros!',
  'Vielen Dank für Ihre Geduld. Ich habe die Bestellung 458812 geprüft: Der Betrag von 89,90 € wurde tatsächlich doppelt abgebucht. Der Fall CS-20431 ist genehmigt, und wir erstatten Ihnen 89,90 € innerhalb von 5 Werktagen auf Ihre Karte. Den Termin habe ich für Dienstag, den 24. November, um 14:30 Uhr für Sie und Ihre Tochter gebucht (Buchung BK-77120). Eine Beratung kostet 65,00 €, zusammen also 130,00 €; eine Anzahlung von 20 € ist heute fällig. Alternativ wären noch 15:00 Uhr und 16:15 Uhr frei. Bei einer Stornierung weniger als 24 Stunden vorher erstatten wir 50 % des Preises. Bitte bringen Sie Ihre Versichertenkarte mit und kommen Sie zehn Minuten früher; die Beratung dauert etwa 30 Minuten. Unsere Öffnungszeiten sind werktags von 9:00 bis 18:00 Uhr. Bei Fragen erreichen Sie uns unter +34 910 555 123. Kann ich sonst noch etwas für Sie tun? Einen schönen Tag noch!',
  "Merci pour votre patience. J'ai vérifié la commande 458812 : le montant de 89,90 € a bien été débité deux fois. Le dossier CS-20431 est approuvé et nous vous remboursons 89,90 € sur votre carte sous 5 jours ouvrés. J'ai réservé le rendez-vous du mardi 24 novembre à 14h30 pour vous et votre fille (réservation BK-77120). Chaque consultation coûte 65 €, soit 130 € au total, dont un acompte de 20 € à régler aujourd'hui. Si vous préférez, il reste aussi des créneaux à 15h00 et à 16h15. En cas d'annulation moins de 24 heures avant, nous remboursons 50 % du prix. Merci d'apporter votre carte vitale et d'arriver dix minutes en avance ; la consultation dure environ 30 minutes. Nos horaires sont de 9h00 à 18h00 en semaine. Pour toute question, appelez le +34 910 555 123. Puis-je vous aider pour autre chose ? Très bonne journée à vous et à bientôt !",
  'Hi! Quick update on your return. The rain jacket (SKU JK-221) is eligible for a return within 30 days, and since it is unopened no restocking fee applies. Once we receive it, you will get $179.80 back on your original payment method; express shipping of €9.95 is not refundable. I have generated a prepaid label for you — drop the parcel at any post office before 6 PM on Friday and keep the receipt. The courier usually collects parcels at noon. Your new order 458901 for the size M jacket is $94.50 including tax and will ship tomorrow morning. If anything goes wrong with the label, reply to this message with the tracking number and I will sort it out. You can track both orders in the app (iOS 17.2 or later, app version 4.12.3). Thanks again for shopping with us, and I hope the new jacket fits perfectly! Our support team is available from 9:00 to 18:00 if you need to talk to someone.',
];

/** Replies as most turns are: a few numbers in ~1 KB of explanation. */
export const TYPICAL_REPLIES: string[] = [
  "Thanks for reaching out! I understand how frustrating it is when the VPN keeps disconnecting in the middle of a meeting. Let's try a few things. First, please make sure GlobalProtect is up to date: open the app, click the gear icon, choose About, and check that the version is 6.2.1 or later; if not, install the update from the Software Center. Second, sign out of the VPN completely, restart your laptop, and sign in again — this refreshes your token, which otherwise expires after 90 days. Third, if you are on home Wi-Fi, try connecting through your phone's hotspot for a few minutes to rule out a router issue. If none of that helps, reply here with a screenshot of the error message and the time it happened, and I'll open a ticket with the network team for you. They usually respond within one business day. In the meantime you can still reach email and Teams through the web portal without the VPN. Hope this gets you back up and running quickly!",
  'Hola, gracias por escribirnos. Entiendo que quiere cambiar el color y el corte antes de la boda de su hermana. Le cuento cómo trabajamos: primero hacemos una pequeña consulta para ver el estado del cabello y elegir el tono que mejor le va; después aplicamos el color y, mientras actúa, preparamos el corte. Todo el proceso suele durar unas dos horas, así que le recomiendo venir con tiempo y sin prisas. Si tiene el cabello muy dañado, quizá le propongamos un tratamiento de hidratación antes del color para que el resultado sea más uniforme y brillante. Lucía, nuestra colorista, tiene mucha experiencia con mechas y balayage y estará encantada de atenderle. Para reservar, solo necesito saber qué día le viene mejor la semana que viene y si prefiere mañana o tarde; en cuanto me lo diga, le paso las opciones disponibles. ¡Estamos deseando verla y dejarla preciosa para el gran día!',
  "Bonjour et merci pour votre message. Je comprends tout à fait votre déception concernant la bouilloire reçue abîmée. Voici comment se passe un retour chez nous : vous disposez de trente jours après la livraison pour nous renvoyer un article, qu'il soit défectueux ou qu'il ne vous convienne simplement pas. Il suffit de vous connecter à votre espace client, d'ouvrir la commande concernée et de cliquer sur « Retourner un article ». Une étiquette prépayée vous sera alors proposée ; imprimez-la et déposez le colis dans le point relais de votre choix. Dès que l'entrepôt aura reçu et contrôlé l'article, vous recevrez un e-mail de confirmation et le remboursement sera effectué sur le moyen de paiement utilisé lors de l'achat. Si vous préférez un échange, indiquez-le simplement dans le formulaire. N'hésitez pas à revenir vers moi si vous rencontrez la moindre difficulté, je reste à votre disposition.",
];

function conversation(id: string): Conversation {
  return { id, sources: SOURCES };
}

function turns(count: number, texts: readonly string[]): Turn[] {
  const list: Turn[] = [];
  for (let i = 0; i < count; i++) {
    const replyText = texts[i % texts.length];
    list.push({ conversationId: 'bench', traceId: 't', spanId: `s${i}`, reply: [], replyText, toolCalls: [] });
  }
  return list;
}

/** Replies per second over `runs` runs of `count` replies, median. */
function measure(runs: number, count: number, texts: readonly string[], body: (batch: Turn[]) => number): number {
  const rates: number[] = [];
  let sink = 0;
  for (let run = 0; run < runs + 1; run++) {
    const batch = turns(count, texts);
    const start = process.cpuUsage();
    sink += body(batch);
    const used = process.cpuUsage(start);
    const seconds = (used.user + used.system) / 1e6;
    if (run > 0) rates.push(count / seconds); // the first run warms the JIT
  }
  if (sink === -1) console.log('unreachable');
  return median(rates);
}

const DIGITS = /\d+(?:[.,]\d+)?/g;

/** The realistic mix: the five number-dense replies and the three typical ones. */
const MIXED = [...REPLIES, ...TYPICAL_REPLIES];

export async function runChecksThroughputBench(options: { runs?: number; count?: number } = {}): Promise<BenchRow[]> {
  const runs = options.runs ?? 7;
  const count = options.count ?? 40_000;
  const warm = conversation('warm');
  const allChecks = (batch: Turn[]): number => {
    let results = 0;
    for (const turn of batch) results += runChecks(builtinChecks, turn, warm).length;
    return results;
  };

  const indexOfBaseline = measure(runs, count, MIXED, (batch) => {
    let hits = 0;
    for (const turn of batch) hits += turn.replyText.indexOf('$') + turn.replyText.indexOf('€');
    return hits;
  });
  const regexBaseline = measure(runs, count, MIXED, (batch) => {
    let hits = 0;
    for (const turn of batch) {
      DIGITS.lastIndex = 0;
      while (DIGITS.exec(turn.replyText) !== null) hits++;
    }
    return hits;
  });
  const extraction = measure(runs, count, MIXED, (batch) => {
    let values = 0;
    for (const turn of batch) {
      const facts = readReplyFacts(turn.replyText);
      values += facts.prices.length + facts.times.length + facts.refunds.length;
    }
    return values;
  });
  const checksMixed = measure(runs, count, MIXED, allChecks);
  const checksDense = measure(runs, count, REPLIES, allChecks);
  const checksCold = measure(runs, Math.max(1, Math.floor(count / 10)), MIXED, (batch) => {
    let results = 0;
    for (const turn of batch) results += runChecks(builtinChecks, turn, conversation('cold')).length;
    return results;
  });

  // Issue 18's targets, on one core.
  const mixedTarget = '≥ 150000 replies/s';
  const denseTarget = '≥ 100000 replies/s';
  const row = (name: string, value: number, rowTarget?: string): BenchRow => ({
    name, value: Math.round(value), unit: 'replies/s', baseline: Math.round(regexBaseline),
    ratio: Number((value / regexBaseline).toFixed(3)), ...(rowTarget ? { target: rowTarget } : {}),
  });
  return [
    { name: 'baseline: indexOf scan', value: Math.round(indexOfBaseline), unit: 'replies/s' },
    { name: 'baseline: single-regex number scan', value: Math.round(regexBaseline), unit: 'replies/s' },
    row('extraction only (readReplyFacts), mixed replies', extraction),
    row('3 checks, warm grounding index, mixed replies', checksMixed, mixedTarget),
    row('3 checks, warm grounding index, number-dense replies only', checksDense, denseTarget),
    row('3 checks, cold index (8 sources read per reply)', checksCold),
  ];
}


if (import.meta.main) await runSuite('Commitment checks: extraction + grounding on ~1 KB replies (one core)', () => runChecksThroughputBench());
