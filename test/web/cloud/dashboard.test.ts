// test/web/dashboard.test.ts against the local cloud (issue 15: the page's tests pass on the Pi server and on the local cloud).
import './cloud-mode.js';
import '../dashboard.test.js';
