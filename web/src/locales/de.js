// German for the elements: `import 'orderflow/elements/locales/de.js'` (with a bundler) or
// `import 'orderflow/elements/bundle/locales/de.js'` (next to the self-contained bundle). A page
// that never shows German does not load it.
import { defineMessages } from '../i18n/index.js';
import de from '../i18n/de.js';

defineMessages('de', de);
export default de;
