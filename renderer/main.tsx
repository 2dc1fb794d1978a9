import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connect } from './transport.js';

const root = document.getElementById('root');
if (root) createRoot(root).render(<App bridge={connect()} />);
