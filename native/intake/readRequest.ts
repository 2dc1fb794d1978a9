import type { ImageAnalysis } from '../image/analyse.js';

/** What the intake asks a reader worker to do, and what it answers. Shared by both sides. */
export interface ReadRequest {
  id: number;
  path: Uint8Array;
  /** Size and mtime seen when the entry was listed, to notice a file that changed under us. */
  listedSize: number;
  /** ISO form of the listed mtime (as stored), compared with the mtime when the file is opened. */
  listedMtime: string;
  /**
   * The content itself, when it does not live in a file of ours to open (a picture read out of a
   * disk image by the Sleuth Kit helper): digested and analysed as it is; path is then only a name.
   */
  content?: Uint8Array;
}

export type ReadResponse =
  | {
      id: number;
      ok: true;
      md5: string;
      sha1: string;
      sha256: string;
      size: number;
      mime: string;
      ext: string | null;
      /** Set when the file's size or mtime differed from the listing: evidence changing during intake. */
      changedDuringIntake: boolean;
      /** For a picture (by its magic bytes), its analysis from the same read; null for other files. */
      image: ImageAnalysis | null;
    }
  | { id: number; ok: false; code: string; message: string };

/**
 * Asked by a reader once it has a picture's SHA-256, before decoding it: the same content found
 * again (a copy in another folder) has been, or is being, analysed already, and is not decoded twice.
 */
export interface AnalyseQuestion { id: number; question: 'analyse'; sha256: string }
export interface AnalyseAnswer { id: number; analyse: boolean }

/** What a reader thread posts: a question on the way, then the response. */
export type ReaderMessage = ReadResponse | AnalyseQuestion;
