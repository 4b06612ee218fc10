export interface Output {
  log(line: string): void;
  error(line: string): void;
}
