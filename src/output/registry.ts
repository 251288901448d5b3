import type { ProcessContext, SavedOutput } from '../run/context';
import { FileFormatInfo, registerOutputFormat } from '../raster/formats';

/** One output format: its `GET /file_formats` entry and how to write a value in it. */
export interface OutputWriter {
  info: FileFormatInfo;
  /** Other spellings accepted by save_result (matched case-insensitively like the name). */
  aliases?: string[];
  /** Writes `data` into ctx.workDir; `basename` is the file name without extension. */
  write(data: unknown, options: Record<string, unknown>, basename: string, ctx: ProcessContext): Promise<SavedOutput>;
}

const writers = new Map<string, OutputWriter>();

/** Makes a writer available to save_result and lists it in GET /file_formats. */
export function registerWriter(writer: OutputWriter): void {
  for (const name of [writer.info.name, ...(writer.aliases ?? [])]) writers.set(name.toLowerCase(), writer);
  registerOutputFormat(writer.info);
}

/** The writer for a format name, ignoring case (save_result's format is case-insensitive). */
export function findWriter(format: string): OutputWriter | undefined {
  return writers.get(format.toLowerCase());
}
