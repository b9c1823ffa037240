// The bundler's text loader turns CSS into a string; VS Code injects acquireVsCodeApi.
declare module '*.css' {
  const text: string;
  export default text;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;
