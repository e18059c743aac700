// The words of the reference server's admin views (of-notifications-view, of-audit-view), in
// English and German. Kept out of en.js/de.js: those views are the demo page's, not in the bundle
// a CMS embeds, so their strings are registered by the views themselves when they load.
import { defineMessages } from './index.js';

// key: [English, German]. One table with a column per language (both are registered together
// here), so a word cannot be missing from one of them.
const WORDS = {
  notifications: ['Notifications', 'Benachrichtigungen'],
  nNotifications: [({ n }, f) => `Notifications (${f.n(n)})`, ({ n }, f) => `Benachrichtigungen (${f.n(n)})`],
  notifState: ['State', 'Zustand'],
  notifAll: ['All', 'Alle'],
  'notifState.pending': ['Waiting to be sent', 'Wartet auf Versand'],
  'notifState.sent': ['Sent', 'Gesendet'],
  'notifState.failed': ['Failed', 'Fehlgeschlagen'],
  'notifState.held': ['Held (no transport)', 'Zurückgehalten (kein Versandweg)'],
  'notifKind.single': ['One order', 'Eine Bestellung'],
  'notifKind.batch': ['Batch of orders', 'Mehrere Bestellungen'],
  transports: [({ list }) => `Sent by: ${list}.`, ({ list }) => `Versand über: ${list}.`],
  noTransport: [
    'No transport configured: notifications are held, not sent.',
    'Kein Versandweg eingerichtet: Benachrichtigungen werden zurückgehalten, nicht gesendet.',
  ],
  'transport.webhook': ['webhook', 'Webhook'],
  'transport.email': ['e-mail', 'E-Mail'],
  colNumber: ['No.', 'Nr.'],
  colKind: ['Kind', 'Art'],
  colWorkflow: ['Workflow', 'Ablauf'],
  colOrders: ['Orders', 'Bestellungen'],
  colState: ['State', 'Zustand'],
  colAttempts: ['Attempts', 'Versuche'],
  colLastError: ['Last error', 'Letzter Fehler'],
  colCreated: ['Created', 'Erstellt'],
  colActions: ['Actions', 'Aktionen'],
  retryNotification: [({ id }) => `Retry notification ${id}`, ({ id }) => `Benachrichtigung ${id} erneut senden`],
  notificationQueued: [({ id }) => `Notification ${id} queued again.`, ({ id }) => `Benachrichtigung ${id} wird erneut gesendet.`],
  noNotifications: ['No notifications.', 'Keine Benachrichtigungen.'],
  noNotificationsIn: [
    ({ state }) => `No notifications in the state “${state}”.`,
    ({ state }) => `Keine Benachrichtigungen im Zustand „${state}“.`,
  ],
  auditTrail: ['Audit trail', 'Protokoll'],
  refusedAttempts: ['Refused attempts', 'Abgelehnte Versuche'],
  auditUser: ['User', 'Benutzer'],
  auditOrder: ['Order', 'Bestellung'],
  auditCode: ['Code', 'Code'],
  applyFilters: ['Apply filters', 'Filter anwenden'],
  colWhen: ['When', 'Wann'],
  colUser: ['User', 'Benutzer'],
  colTarget: ['Target status', 'Zielstatus'],
  colHttp: ['HTTP', 'HTTP'],
  colWhy: ['Why', 'Grund'],
  colSource: ['Source', 'Quelle'],
  noRefusals: ['No refused attempts match.', 'Keine abgelehnten Versuche gefunden.'],
  'refusal.forbidden': ['not allowed', 'nicht erlaubt'],
  'refusal.conflict': ['changed by someone else meanwhile', 'inzwischen von jemand anderem geändert'],
  'refusal.refused': ['refused by the workflow', 'vom Ablauf abgelehnt'],
  'refusal.unknown_status': ['unknown status', 'unbekannter Status'],
  'refusal.terminal_status': ['the order is in a final status', 'die Bestellung ist abgeschlossen'],
  'refusal.invalid_transition': ['this change is not in the workflow', 'diese Änderung ist im Ablauf nicht vorgesehen'],
  'refusal.forbidden_role': ['the role may not make this change', 'die Rolle darf diese Änderung nicht vornehmen'],
  'refusal.forbidden_store': ['not one of the user’s stores', 'keine Filiale des Benutzers'],
  'refusal.read_only': ['the role can only view orders', 'die Rolle darf Bestellungen nur ansehen'],
  'refusal.missing_field': ['a required field was missing', 'ein Pflichtfeld fehlte'],
  'refusal.invalid_field': ['a field was not valid', 'ein Feld war ungültig'],
  'refusal.invalid_order': ['the order could not be read', 'die Bestellung war nicht lesbar'],
  'refusal.invalid_actor': ['no valid user', 'kein gültiger Benutzer'],
  'refusal.stale': ['changed by someone else meanwhile', 'inzwischen von jemand anderem geändert'],
};

const column = (i) => Object.fromEntries(Object.entries(WORDS).map(([key, words]) => [key, words[i]]));
export const en = column(0);
export const de = column(1);

defineMessages('en', en);
defineMessages('de', de);
