import type * as vscode from 'vscode';

/**
 * Base for everything that owns listeners or resources: whatever is passed to `_register` is
 * disposed with its owner, in reverse order, exactly once.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly _disposables: vscode.Disposable[] = [];
  private _disposed = false;

  protected get isDisposed(): boolean {
    return this._disposed;
  }

  protected _register<T extends vscode.Disposable>(disposable: T): T {
    if (this._disposed) {
      disposable.dispose();
    } else {
      this._disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    while (this._disposables.length) {
      try {
        this._disposables.pop()?.dispose();
      } catch {
        // One failing disposer must not keep the rest alive.
      }
    }
  }
}
