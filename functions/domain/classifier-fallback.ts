/**
 * Uses `primary` and, while it is unavailable (e.g. the SageMaker endpoint has not been created
 * by the first retraining yet), `fallback`. Throttling and other failures are not hidden.
 *
 * @example
 *   const classifier = withFallback(new SageMakerTextClassifier({ ... }), inProcessModel)
 */
import { ClassifierError, type Prediction, type TextClassifier } from '../ports/classifier.port.ts'

export function withFallback(primary: TextClassifier, fallback: TextClassifier): TextClassifier {
  return {
    async classify(texts: readonly string[], group?: string): Promise<Prediction[]> {
      try {
        return await primary.classify(texts, group)
      } catch (e) {
        if (e instanceof ClassifierError && e.kind === 'unavailable') return fallback.classify(texts, group)
        throw e
      }
    },
  }
}
