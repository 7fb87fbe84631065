// Browser code, served as /_sandbox/widget-host/assets/host-runtime.js. Part 1: the log panel
// (widget errors and console output, so tests can assert silence), the host's RequireJS modules
// and the global APP, i.e. what a Kommo page offers before a widget's script.js loads.
// Plain ES2017 in a string: the package compiles for Node without DOM types.
export const PAGE_BASE_JS = String.raw`
(function () {
  'use strict';
  var boot = window.__SANDBOX_HOST__;
  var host = (window.__sandboxHost = {
    boot: boot,
    log: [],
    callbacks: [],
    counts: { error: 0, warn: 0, console: 0 },
    status: 'loading',
    designer: [],
    widget: null,
    util: {},
  });
  var pending = [];

  function stringify(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return value.name + ': ' + value.message;
    try {
      return JSON.stringify(value);
    } catch (e) {
      return String(value);
    }
  }
  function describe(value) {
    if (value && typeof value.then === 'function') return 'a Promise';
    return value === undefined ? 'undefined' : stringify(value);
  }
  function lookup(object, key) {
    return String(key).split('.').reduce(function (node, part) {
      return node !== null && typeof node === 'object' ? node[part] : undefined;
    }, object);
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function setOutput(testId, value) {
    var el = document.querySelector('[data-testid="' + testId + '"]');
    if (el) el.textContent = String(value);
  }
  function flush() {
    var list = document.querySelector('[data-testid="host-log"]');
    if (!list) return;
    pending.splice(0).forEach(function (entry) {
      var li = document.createElement('li');
      li.setAttribute('data-testid', 'log-entry');
      li.setAttribute('data-kind', entry.kind);
      li.setAttribute('data-level', entry.level);
      li.className = 'log-' + entry.level;
      li.textContent = '[' + entry.kind + '] ' + entry.text;
      list.appendChild(li);
    });
    setOutput('error-count', host.counts.error);
    setOutput('warning-count', host.counts.warn);
    setOutput('console-count', host.counts.console);
  }
  host.record = function (kind, level, text) {
    var entry = { at: new Date().toISOString(), kind: kind, level: level, text: String(text) };
    host.log.push(entry);
    if (level === 'error') host.counts.error++;
    if (level === 'warn') host.counts.warn++;
    if (kind === 'console') host.counts.console++;
    pending.push(entry);
    flush();
    return entry;
  };
  host.setStatus = function (status) {
    host.status = status;
    setOutput('host-status', status);
  };
  host.flush = flush;
  host.setOutput = setOutput;
  host.util = { stringify: stringify, describe: describe, lookup: lookup, escapeHtml: escapeHtml };

  // Everything the widget prints is recorded (and still reaches the real console).
  ['log', 'info', 'warn', 'error', 'debug'].forEach(function (method) {
    var original = console[method];
    console[method] = function () {
      var args = Array.prototype.slice.call(arguments);
      var level = method === 'error' ? 'error' : method === 'warn' ? 'warn' : 'info';
      host.record('console', level, method + ': ' + args.map(stringify).join(' '));
      return original.apply(console, arguments);
    };
  });
  window.addEventListener('error', function (event) {
    var where = event.filename ? ' at ' + event.filename + ':' + event.lineno : '';
    host.record('error', 'error', (event.message || 'script error') + where);
  });
  window.addEventListener('unhandledrejection', function (event) {
    host.record('error', 'error', 'unhandled promise rejection: ' + stringify(event.reason));
  });
  requirejs.onError = function (err) {
    var modules = err.requireModules ? ' (' + err.requireModules.join(', ') + ')' : '';
    host.record('error', 'error', 'RequireJS ' + (err.requireType || 'error') + modules + ': ' + err.message);
    if (host.status === 'loading') host.setStatus('failed');
  };

  // twig.js stand-in: {{ var }}, {{ a.b }}, {{ x|raw }}; tags and comments are dropped.
  function renderTwig(source, params) {
    return String(source)
      .replace(/\{#[\s\S]*?#\}/g, '')
      .replace(/\{%[\s\S]*?%\}/g, '')
      .replace(/\{\{\s*([\w.]+)\s*(\|\s*raw\s*)?\}\}/g, function (_m, key, raw) {
        var value = lookup(params || {}, key);
        value = value === null || value === undefined ? '' : String(value);
        return raw ? value : escapeHtml(value);
      });
  }
  var twig = {
    twig: function (options) {
      var data = (options && options.data) || '';
      return { render: function (params) { return renderTwig(data, params); } };
    },
  };
  // Kommo's own control templates, for self.render({ ref: '/tmpl/controls/input.twig' }, params).
  function attr(name, value) {
    return value === undefined || value === null ? '' : ' ' + name + '="' + escapeHtml(value) + '"';
  }
  var controls = {
    input: function (p) {
      return '<input' + attr('type', p.type || 'text') + attr('name', p.name) + attr('id', p.id) +
        attr('value', p.value) + attr('placeholder', p.placeholder) +
        ' class="control--input ' + escapeHtml(p.class_name || '') + '">';
    },
    textarea: function (p) {
      return '<textarea' + attr('name', p.name) + attr('id', p.id) + attr('placeholder', p.placeholder) +
        ' class="control--textarea ' + escapeHtml(p.class_name || '') + '">' + escapeHtml(p.value || '') + '</textarea>';
    },
    button: function (p) {
      return '<button type="button"' + attr('id', p.id) + ' class="button-input ' + escapeHtml(p.class_name || '') +
        '">' + escapeHtml(p.text || '') + '</button>';
    },
    checkbox: function (p) {
      return '<label class="control-checkbox"><input type="checkbox"' + attr('name', p.name) + attr('id', p.id) +
        (p.checked ? ' checked' : '') + '> ' + escapeHtml(p.text || '') + '</label>';
    },
    select: function (p) {
      var options = (p.items || []).map(function (item) {
        var selected = String(item.id) === String(p.selected) ? ' selected' : '';
        return '<option' + attr('value', item.id) + selected + '>' + escapeHtml(item.option) + '</option>';
      });
      return '<select' + attr('name', p.name) + attr('id', p.id) + ' class="control--select ' +
        escapeHtml(p.class_name || '') + '">' + options.join('') + '</select>';
    },
  };
  host.util.renderTwig = renderTwig;
  host.util.twig = twig;
  host.util.controls = controls;

  // lib/components/base/modal: new Modal({ class_name, init($modal_body), destroy() }).
  function Modal(options) {
    var self = this;
    var $ = window.jQuery;
    this.options = options || {};
    this.destroyed = false;
    this.$modal = $('<div class="modal" data-testid="modal"><div class="modal-overlay"></div>' +
      '<div class="modal-scroller"><div class="modal-body"></div></div></div>');
    if (this.options.class_name) this.$modal.addClass(this.options.class_name);
    this.$modal_body = this.$modal.find('.modal-body');
    $(document.body).append(this.$modal);
    this.$modal.find('.modal-overlay').on('click', function () {
      if (!self.options.disable_overlay_click) self.destroy();
    });
    if (typeof this.options.init === 'function') this.options.init.call(this, this.$modal_body);
  }
  Modal.prototype.destroy = function () {
    if (this.destroyed) return;
    this.destroyed = true;
    if (typeof this.options.destroy === 'function') this.options.destroy.call(this);
    this.$modal.remove();
  };
  Modal.prototype.showLoader = function () {};
  Modal.prototype.hideLoader = function () {};
  host.Modal = Modal;

  // A small underscore: the helpers widgets commonly take from Kommo's copy.
  var _ = {
    each: function (list, fn, ctx) {
      if (Array.isArray(list)) list.forEach(fn, ctx);
      else Object.keys(list || {}).forEach(function (k) { fn.call(ctx, list[k], k, list); });
      return list;
    },
    map: function (list, fn, ctx) {
      if (Array.isArray(list)) return list.map(fn, ctx);
      return Object.keys(list || {}).map(function (k) { return fn.call(ctx, list[k], k, list); });
    },
    filter: function (list, fn, ctx) { return _.values(list).filter(fn, ctx); },
    find: function (list, fn, ctx) { return _.values(list).find(fn, ctx); },
    keys: function (o) { return Object.keys(o || {}); },
    values: function (o) { return Array.isArray(o) ? o.slice() : Object.keys(o || {}).map(function (k) { return o[k]; }); },
    extend: function (target) { return Object.assign.apply(Object, arguments) || target; },
    clone: function (o) { return Array.isArray(o) ? o.slice() : Object.assign({}, o); },
    has: function (o, k) { return Object.prototype.hasOwnProperty.call(o || {}, k); },
    isArray: Array.isArray,
    isFunction: function (v) { return typeof v === 'function'; },
    isString: function (v) { return typeof v === 'string'; },
    isNumber: function (v) { return typeof v === 'number'; },
    isObject: function (v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); },
    isEmpty: function (v) { return v === null || v === undefined || (typeof v === 'object' ? Object.keys(v).length === 0 : String(v).length === 0); },
    contains: function (list, value) { return _.values(list).indexOf(value) !== -1; },
    bind: function (fn, ctx) { return fn.bind.apply(fn, [ctx].concat(Array.prototype.slice.call(arguments, 2))); },
    debounce: function (fn, wait) {
      var timer;
      return function () {
        var self = this, args = arguments;
        clearTimeout(timer);
        timer = setTimeout(function () { fn.apply(self, args); }, wait);
      };
    },
    once: function (fn) {
      var done = false, result;
      return function () { if (!done) { done = true; result = fn.apply(this, arguments); } return result; };
    },
    noop: function () {},
    escape: escapeHtml,
    uniqueId: (function () { var n = 0; return function (prefix) { n += 1; return (prefix || '') + n; }; })(),
  };
  _.includes = _.contains;

  define('underscore', [], function () { return _; });
  define('twigjs', [], function () { return twig; });
  define('lib/components/base/modal', [], function () { return Modal; });

  // The global APP (legacy alias AMOCRM), as Kommo's pages expose it.
  var managers = {};
  boot.users.forEach(function (user) { managers[user.id] = user; });
  var constants = {
    account: boot.account,
    user: boot.user,
    user_rights: boot.user_rights,
    managers: managers,
    lang: boot.lang,
  };
  // The lead card (lcard): current_card.id is the lead id (0 for a new card); its model holds the
  // card's fields. Kommo's model is a Backbone model; the sandbox offers get() and attributes.
  var card = boot.card;
  var currentCard = card ? {
    id: card.id,
    element_type: 2,
    model: {
      attributes: card,
      get: function (key) { return card[key]; },
      toJSON: function () { return Object.assign({}, card); },
    },
  } : false;
  var APP = {
    lang_id: boot.lang,
    constant: function (name) { return constants[name]; },
    getBaseEntity: function () {
      if (card) return 'leads';
      return boot.area === 'salesbot_designer' ? 'salesbot' : 'settings';
    },
    isCard: function () { return Boolean(card); },
    getWidgetsArea: function () { return boot.area; },
    data: { current_card: currentCard, current_entity: card ? 'leads' : null },
    widgets: {},
  };
  window.APP = APP;
  window.AMOCRM = APP;
})();
`;
