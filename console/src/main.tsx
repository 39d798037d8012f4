import { StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api } from './api';
import { EmployeePage } from './pages/Employee';
import { FailedJobsPage } from './pages/FailedJobs';
import { RegisterPage } from './pages/Register';
import { TenantPage } from './pages/Tenant';
import { TenantsPage } from './pages/Tenants';

type Route =
  | { page: 'tenants' }
  | { page: 'register' }
  | { page: 'tenant'; tenantId: string }
  | { page: 'employee'; tenantId: string; who: string }
  | { page: 'failed-jobs' }
  | { page: 'not-found' };

/** Hash routes, so that the page's URL (and its token) stays as it was opened. */
const parseRoute = (hash: string): Route => {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/tenants') return { page: 'tenants' };
  if (path === '/register') return { page: 'register' };
  if (path === '/failed-jobs') return { page: 'failed-jobs' };
  const employee = /^\/tenants\/([^/]+)\/employees\/([^/]+)$/.exec(path);
  if (employee?.[1] && employee[2]) return { page: 'employee', tenantId: decodeURIComponent(employee[1]), who: decodeURIComponent(employee[2]) };
  const tenant = /^\/tenants\/([^/]+)$/.exec(path);
  if (tenant?.[1]) return { page: 'tenant', tenantId: decodeURIComponent(tenant[1]) };
  return { page: 'not-found' };
};

const NAV = [
  { href: '#/', label: 'Tenants', pages: ['tenants', 'tenant', 'employee'] },
  { href: '#/register', label: 'Register a tenant', pages: ['register'] },
  { href: '#/failed-jobs', label: 'Failed jobs', pages: ['failed-jobs'] },
];

const App = () => {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  const [label, setLabel] = useState('');
  const first = useRef(true);

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    api<{ label: string }>('GET', '/info').then(
      (info) => setLabel(info.label),
      () => undefined,
    );
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    // Moves focus to the new page's heading, as a page load would for keyboard and screen-reader users.
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route]);

  useEffect(() => {
    const title = route.page === 'tenant' ? `${route.tenantId} · ` : route.page === 'employee' ? `${route.who} · ${route.tenantId} · ` : '';
    document.title = `${title}BambooHR sync console${label ? ` (${label})` : ''}`;
  }, [route, label]);

  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          BambooHR sync <span className="muted">support console</span>
          {label ? <span className="env">{label}</span> : null}
        </div>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a key={n.href} href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route.page === 'tenants' ? <TenantsPage /> : null}
        {route.page === 'register' ? <RegisterPage /> : null}
        {route.page === 'tenant' ? <TenantPage key={route.tenantId} tenantId={route.tenantId} /> : null}
        {route.page === 'employee' ? <EmployeePage key={`${route.tenantId}/${route.who}`} tenantId={route.tenantId} who={route.who} /> : null}
        {route.page === 'failed-jobs' ? <FailedJobsPage /> : null}
        {route.page === 'not-found' ? (
          <>
            <h1 tabIndex={-1}>Not found</h1>
            <p>
              There is no such page. <a href="#/">Go to the tenants</a>.
            </p>
          </>
        ) : null}
      </main>
    </>
  );
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
