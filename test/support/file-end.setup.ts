import { endEveryFile } from './file-end.js';

endEveryFile();
