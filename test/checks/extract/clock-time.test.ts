import { describe, expect, it } from 'vitest';
import { extractClockTimes } from '../../../src/checks/index.ts';

const hhmm = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Each time as "text=HH:MM" (and "/HH:MM" for the other half of the day when ambiguous). */
const times = (text: string, liberal = false) =>
  extractClockTimes(text, liberal).map((t) => `${t.text}=${hhmm(t.minutes)}${t.alternate >= 0 ? `/${hhmm(t.alternate)}` : ''}`);

describe('extractClockTimes: formats', () => {
  it.each([
    ['See you at 2:30 PM.', ['2:30 PM=14:30']],
    ['See you at 2:30pm or 10:15 a.m.', ['2:30pm=14:30', '10:15 a.m.=10:15']],
    ['Open until 5 PM, from 9am.', ['5 PM=17:00', '9am=09:00']],
    ['The slot is 14:30, or 09:00.', ['14:30=14:30', '09:00=09:00']],
    ['The slot is 3:00.', ['3:00=03:00/15:00']],
    ['Lunch at noon, closed at midnight.', ['noon=12:00', 'midnight=00:00']],
    ['Starts 2026-11-24T14:30:00.', ['2026-11-24T14:30:00=14:30']],
    ['We have half past two, a quarter to five or two o\'clock.', ['half past two=02:30/14:30', 'quarter to five=04:45/16:45', "two o'clock=02:00/14:00"]],
    ['Open 9am-5pm.', ['9am=09:00', '5pm=17:00']],
  ])('en: %s', (text, expected) => {
    expect(times(text)).toEqual(expected);
  });

  it.each([
    ['Su cita es a las 14:30.', ['a las 14:30=14:30']],
    ['Le espero a las 5 de la tarde.', ['a las 5 de la tarde=17:00']],
    ['Llegue a las 3 y media de la tarde.', ['a las 3 y media de la tarde=15:30']],
    ['Abrimos desde las 9:30 hasta las 20:00.', ['desde las 9:30=09:30/21:30', 'hasta las 20:00=20:00']],
    ['Tiene la cita a las dos y media de la tarde.', ['a las dos y media de la tarde=14:30']],
    ['Cerramos al mediodía.', ['mediodía=12:00']],
  ])('es: %s', (text, expected) => {
    expect(times(text)).toEqual(expected);
  });

  it.each([
    ['Ihr Termin ist um 14.30 Uhr.', ['14.30 Uhr=14:30']],
    ['Kommen Sie um 9 Uhr oder um 14:30 Uhr.', ['9 Uhr=09:00/21:00', '14:30 Uhr=14:30']],
    ['Geöffnet Mo–Fr 8–18 Uhr.', ['8=08:00/20:00', '18 Uhr=18:00']],
    ['Treffen um halb drei.', ['halb drei=02:30/14:30']],
    ['Bis Mitternacht erreichbar.', ['Mitternacht=00:00']],
  ])('de: %s', (text, expected) => {
    expect(times(text)).toEqual(expected);
  });

  it.each([
    ['Rendez-vous à 14h30.', ['14h30=14:30']],
    ['Rendez-vous à 9h, ou 14 h 30.', ['9h=09:00/21:00', '14 h 30=14:30']],
    ['Le cabinet ferme à midi, puis à minuit.', ['midi=12:00', 'minuit=00:00']],
    ["L'arrivée se fait à partir de 15h.", ['15h=15:00']],
    ['Je passe à deux heures et demie.', ['deux heures et demie=02:30/14:30']],
  ])('fr: %s', (text, expected) => {
    expect(times(text)).toEqual(expected);
  });
});

describe('extractClockTimes: what is no clock time', () => {
  it.each([
    ['durations (en)', 'It takes 30 minutes, maybe 2 hours, or 1:30 hours in total; reply within 24h.'],
    ['durations (es)', 'El análisis tarda 48 horas y la consulta dura 20 minutos.'],
    ['durations (de)', 'Die Lieferung dauert 2 Stunden, die Beratung ca. 10 Minuten.'],
    ['durations (fr)', 'Le trajet dure 1h30, la livraison arrive dans 2 h, en 1h30 au plus.'],
    ['dates', 'Born 12/05/1990, renewal on 24.11.2026, visit 2024-03-01.'],
    ['prices and versions', 'Only $14.30, version 2.30 and iOS 17.2.'],
    ['afternoon is not noon', "Venez l'après-midi, or this afternoon."],
    ['counts', 'For 2 nights and 3 tickets, 4 people.'],
  ])('%s', (_kind, text) => {
    expect(extractClockTimes(text)).toEqual([]);
  });

  it('needs a time word before a bare French hour in a reply, not in a source', () => {
    expect(times('Le délai est de 2 h.')).toEqual([]);
    expect(times('Ouvert 9h–19h', true)).toEqual(['9h=09:00/21:00', '19h=19:00']);
  });

  it('rejects impossible times', () => {
    expect(extractClockTimes('Score 25:61 and 24:30.')).toEqual([]);
  });
});
