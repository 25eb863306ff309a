// Whether `npm run test:image` runs here: it needs root, podman, runc and debootstrap. Outside CI a
// machine without them says so in one line and passes; under CI it fails. Pure.
import { isCi } from '../../test/helpers/ci.ts';

export const IMAGE_TOOLS = ['podman', 'runc', 'debootstrap'] as const;
export type ImageTool = (typeof IMAGE_TOOLS)[number];

export const INSTALL_HINT = `apt-get install ${IMAGE_TOOLS.join(' ')}`;

export type ImageCheckPlan =
  { readonly kind: 'run' } | { readonly kind: 'not-run'; readonly line: string } | { readonly kind: 'missing'; readonly message: string };

export function imageCheckPlan(ci: string | undefined, machine: { readonly root: boolean; readonly missing: readonly ImageTool[] }): ImageCheckPlan {
  const lacks = [
    ...(machine.missing.length > 0 ? [`no ${machine.missing.join(', ')} on PATH`] : []),
    ...(machine.root ? [] : ['not root (debootstrap and podman run as root here)']),
  ];
  if (lacks.length === 0) return { kind: 'run' };
  const fix = machine.missing.length > 0 ? `${INSTALL_HINT}${machine.root ? '' : ', as root'}` : 'run it as root';
  if (isCi(ci)) return { kind: 'missing', message: `image check: ${lacks.join('; ')}: under CI it must run (${fix}; .ci/run does it)` };
  return { kind: 'not-run', line: `image check not run: ${lacks.join('; ')}. To run it: ${fix}` };
}
