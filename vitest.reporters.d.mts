export declare function reporting(suite: string): {
  reporters: string[];
  outputFile?: { json: string };
};
