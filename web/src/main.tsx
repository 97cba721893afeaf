import { render } from 'preact'
import { App } from './components/App.js'
import { createServices, ServicesContext } from './services.js'
import './styles.css'

const root = document.getElementById('app')
if (!root) throw new Error('index.html has no #app element')
render(
  <ServicesContext.Provider value={createServices(window)}>
    <App />
  </ServicesContext.Provider>,
  root,
)
