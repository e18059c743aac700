// Types of a language module (`orderflow/elements/locales/de.js`, and next to the bundle
// `orderflow/elements/bundle/locales/de.js`): importing it registers its messages; the table is
// its default export.
import type { Messages } from './elements.js';

declare const messages: Readonly<Messages>;
export default messages;
