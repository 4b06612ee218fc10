import { cleanUpEveryFile } from './file-end.js';

cleanUpEveryFile();
