// Two orderflow elements in a React 19 app: per order an <of-status-badge> (the current status in
// its workflow colour) and an <of-status-dropdown> of the next statuses, its options from the
// engine (a built-in workflow and the signed-in user's role), its event handled by React
// (React 19 passes `onof-status-select` to the custom element as an event listener).
import { useEffect, useState } from 'react';
import { loadFlow, Rules } from 'orderflow/elements';

const ORDERS = [
  { id: 1001, status: 'pending', customer: 'Ana' },
  { id: 1002, status: 'shipped', customer: 'Ben' }, // a legacy value: read as in_transit
  { id: 1003, status: 'delivered', customer: 'Cy' },
];

export function App() {
  const [rules, setRules] = useState(null);
  const [orders, setOrders] = useState(ORDERS);
  const [message, setMessage] = useState('');

  useEffect(() => {
    loadFlow().then((flow) => setRules(new Rules(flow.workflow('delivery'), { role: 'admin' })));
  }, []);

  if (!rules) return <p role="status">Loading the workflow…</p>;

  const onSelect = (e) => {
    const { orderId, to } = e.detail;
    setOrders((list) => list.map((o) => (o.id === orderId ? { ...o, status: to } : o)));
    setMessage(`Order ${orderId} is now ${rules.status(to).label}.`);
  };

  return (
    <main>
      <h1>Deliveries</h1>
      <table>
        <thead>
          <tr>
            <th>Order</th>
            <th>Customer</th>
            <th>Status</th>
            <th>Change status</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.id}>
              <td>#{o.id}</td>
              <td>{o.customer}</td>
              <td data-testid={`status-${o.id}`}>
                <of-status-badge label={rules.status(o.status).label} color={rules.status(o.status).color}></of-status-badge>
              </td>
              <td>
                <of-status-dropdown orderId={o.id} options={rules.allowed(o)} onof-status-select={onSelect}></of-status-dropdown>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p role="status">{message}</p>
    </main>
  );
}
