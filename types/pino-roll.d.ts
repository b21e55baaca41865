// pino-roll ships no types; this is the part blotter uses.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';
  export default function pinoRoll(opts: {
    file: string;
    size?: string | number;
    frequency?: string | number;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    symlink?: boolean;
    extension?: string;
  }): Promise<SonicBoom>;
}
