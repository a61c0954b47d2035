// `npm run bench -- reconcile [options]`: the pure reconciliation core (see pure.ts for the options).
import './pure.js';
