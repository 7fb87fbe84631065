import { createRoot, type Root } from 'react-dom/client';
import { WidgetRoot } from './widget-root';
import { mountRegistry } from './lib/mount-registry';

const roots = mountRegistry<Root>();

/** Mounts the widget into `container`; mounting the same container twice keeps one instance. */
export function mount(container: HTMLElement): void {
  roots.ensure(container, () => {
    const root = createRoot(container);
    root.render(<WidgetRoot />);
    return root;
  });
}

export function unmount(container: HTMLElement): void {
  roots.release(container, (root) => root.unmount());
}
