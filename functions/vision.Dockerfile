# The vision function as a Lambda container image (lib/stateless-stack.ts, `-c vision=local`, the
# default; the project root is the build context): the embedded guard's own picture models —
# PaddleOCR (Chinese and English) on onnxruntime, face-api and nsfwjs on tfjs wasm, sharp,
# zxing-wasm — so that a picture reads the same on AWS as in `npm start`. Built for arm64.
FROM public.ecr.aws/lambda/nodejs:24 AS deps
WORKDIR /build
COPY package.json package-lock.json ./
# No install scripts: onnxruntime-node's would fetch CUDA binaries (its CPU ones ship in the
# package) and better-sqlite3's a native build the vision function does not use; sharp and the
# other native packages come prebuilt for linux-arm64 through npm's optional dependencies.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
  && find node_modules/onnxruntime-node/bin -path '*linux/x64*' -prune -exec rm -rf {} +

FROM public.ecr.aws/lambda/nodejs:24
ENV NODE_ENV=production
COPY --from=deps /build/node_modules ${LAMBDA_TASK_ROOT}/node_modules
COPY package.json ${LAMBDA_TASK_ROOT}/
COPY functions ${LAMBDA_TASK_ROOT}/functions
CMD ["functions/handlers/vision-image.handler"]
