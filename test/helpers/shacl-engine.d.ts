/** The part of shacl-engine (no published types) the CASE/UCO validation test uses. */
declare module 'shacl-engine' {
  import type { DatasetCore, Quad, Term } from '@rdfjs/types';
  export interface ValidationResult { severity: Term; focusNode: Term; message: Term[]; path?: unknown; constraintComponent: Term }
  export class Validator {
    constructor(shapes: DatasetCore, options: { factory: unknown });
    validate(data: { dataset: DatasetCore<Quad> }): Promise<{ conforms: boolean; results: ValidationResult[] }>;
  }
}
