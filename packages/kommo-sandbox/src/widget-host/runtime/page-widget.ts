// Browser code, part 2: loads the widget's script.js as an AMD module, gives the widget Kommo's
// widget object API and runs render → init → bind_actions, then the location's callback.
export const PAGE_WIDGET_JS = String.raw`
(function () {
  'use strict';
  var host = window.__sandboxHost;
  var boot = host.boot;
  var util = host.util;
  var $ = window.jQuery;
  var manifest = boot.widget.manifest;
  var langs = boot.widget.langs;
  // The live object get_settings() returns; saved values land here too.
  var settings = boot.settings;
  host.settings = settings;
  host.installed = boot.installed;

  function text(key) {
    var value = util.lookup(langs, key);
    return typeof value === 'string' ? value : String(key === undefined ? '' : key);
  }
  host.text = text;

  function authorizedAjax(options) {
    var deferred = $.Deferred();
    var request = { account_id: boot.account.id, user_id: boot.user.id };
    // Kommo mints a fresh token per call; so does the sandbox (its clock may run fast).
    $.ajax({ url: boot.urls.token, type: 'POST', contentType: 'application/json', dataType: 'json', data: JSON.stringify(request) })
      .then(function (minted) {
        var opts = $.extend({}, options);
        opts.headers = $.extend({}, options && options.headers, { 'X-Auth-Token': minted.token });
        host.record('ajax', 'info', (opts.type || opts.method || 'GET') + ' ' + opts.url + ' (X-Auth-Token)');
        $.ajax(opts).then(
          function (data, status, xhr) { deferred.resolve(data, status, xhr); },
          function (xhr, status, error) {
            var hint = xhr.status === 0 ? ' (network or CORS: is ' + boot.origin + ' allowed?)' : '';
            host.record('ajax', 'warn', opts.url + ' failed: HTTP ' + xhr.status + hint);
            deferred.reject(xhr, status, error);
          },
        );
      }, function (xhr, status, error) {
        host.record('error', 'error', 'the sandbox could not mint an X-Auth-Token: HTTP ' + xhr.status + ' ' + xhr.responseText);
        deferred.reject(xhr, status, error);
      });
    return deferred.promise();
  }

  // The widget object API; copied onto the widget's prototype before "new", as script.js
  // constructors already call this.system() or read this.langs.
  var api = {
    langs: langs,
    params: settings,
    system: function () {
      return {
        area: boot.area,
        subdomain: boot.account.subdomain,
        domain: boot.account.host,
        amouser_id: String(boot.user.id),
        amouser: boot.user.login,
        amohash: '',
        displayed_count: 0,
        displayed_count_by_status: {},
      };
    },
    get_settings: function () { return settings; },
    set_settings: function (patch) {
      Object.assign(settings, patch);
      Object.keys(patch || {}).forEach(function (key) {
        $('.widget-settings [name="' + key + '"]').val(patch[key]);
      });
      return settings;
    },
    i18n: function (key) {
      var value = util.lookup(langs, key);
      if (value === undefined) {
        host.record('i18n', 'warn', 'missing key "' + key + '" in i18n/' + boot.lang + '.json');
        return key;
      }
      return value;
    },
    set_lang: function () { host.record('api', 'info', 'set_lang ignored by the sandbox'); },
    get_version: function () { return boot.widget.version; },
    get_install_status: function () { return host.installed ? 'installed' : 'install'; },
    set_status: function (status) {
      host.record('api', 'info', 'set_status ' + status);
      host.setOutput('widget-status', status);
    },
    render: function (options, params) {
      options = options || {};
      if (options.ref) {
        var name = String(options.ref).replace(/^.*\//, '').replace(/\.twig$/, '');
        var control = util.controls[name];
        if (control) return control(params || {});
        host.record('api', 'warn', 'render: the sandbox has no template ' + options.ref);
        return '';
      }
      if (options.href) {
        var url = (options.base_path || settings.path) + options.href;
        $.get(url).then(function (source) {
          if (typeof options.load === 'function') options.load(util.twig.twig({ data: source }));
        }, function (xhr) {
          host.record('error', 'error', 'render: cannot load ' + url + ': HTTP ' + xhr.status);
        });
        return '';
      }
      return util.renderTwig(options.data || '', params);
    },
    render_template: function (options, params) {
      options = options || {};
      var caption = options.caption || {};
      var $block = $('<div class="card-widgets__widget" data-testid="widget-template">' +
        '<div class="card-widgets__widget__caption"></div><div class="card-widgets__widget__body"></div></div>');
      $block.attr('data-code', boot.widget.code);
      $block.find('.card-widgets__widget__caption').addClass(caption.class_name || '').text(text(manifest.widget.name));
      var body = (options.body || '') + (options.render ? util.renderTwig(options.render, params) : '');
      $block.find('.card-widgets__widget__body').html(body);
      $('#widgets_block').append($block);
      return $block;
    },
    $authorizedAjax: authorizedAjax,
    crm_post: function (url, data, callback, type) {
      // Kommo proxies this through its servers; the sandbox calls the URL directly.
      host.record('api', 'info', 'crm_post ' + url + ' (not proxied in the sandbox)');
      return $.ajax({ url: url, type: 'POST', data: data, dataType: type || 'json' }).done(callback || $.noop);
    },
    list_selected: function () { return { count: 0, selected: [] }; },
    widgetsOverlay: function () {},
    add_action: function (type) { host.record('api', 'info', 'add_action ' + type); },
    add_source: function (type) { host.record('api', 'info', 'add_source ' + type); },
    get_pipeline_id: function () { return Promise.resolve(null); },
  };

  // Runs one callback the way Kommo does, recording order, throws and contract breaks.
  host.callback = function (name, args, required) {
    var widget = host.widget;
    var fn = widget && widget.callbacks ? widget.callbacks[name] : undefined;
    if (typeof fn !== 'function') {
      if (required) host.record('contract', 'error', 'callbacks.' + name + ' is required but missing');
      return { called: false, value: undefined };
    }
    host.callbacks.push(name);
    host.setOutput('callback-order', host.callbacks.join(','));
    host.record('callback', 'info', name);
    try {
      return { called: true, value: fn.apply(widget, args || []) };
    } catch (error) {
      host.record('error', 'error', 'callbacks.' + name + ' threw ' + util.stringify(error) +
        (error && error.stack ? '\n' + error.stack : ''));
      return { called: true, value: undefined, threw: true };
    }
  };

  function start() {
    host.flush();
    $('[data-testid="open-settings"]').on('click', function () { host.openSettings(); });
    $('[data-testid="widget-disable"]').on('click', function () { host.disable(); });
    require([boot.widget.script_url], function (WidgetClass) {
      if (typeof WidgetClass !== 'function') {
        host.record('contract', 'error', 'script.js must define() a widget constructor, got ' + util.describe(WidgetClass));
        return host.setStatus('failed');
      }
      Object.keys(api).forEach(function (key) {
        if (!(key in WidgetClass.prototype)) WidgetClass.prototype[key] = api[key];
      });
      try {
        host.widget = new WidgetClass();
      } catch (error) {
        host.record('error', 'error', 'new Widget() threw ' + util.stringify(error));
        return host.setStatus('failed');
      }
      if (!host.widget || typeof host.widget.callbacks !== 'object' || host.widget.callbacks === null) {
        host.record('contract', 'error', 'the widget has no callbacks object');
        return host.setStatus('failed');
      }
      window.APP.widgets[boot.widget.code] = host.widget;
      ['render', 'init', 'bind_actions'].forEach(function (name) {
        var result = host.callback(name, [], true);
        if (result.called && !result.threw && result.value !== true) {
          host.record('contract', 'error', 'callbacks.' + name + ' returned ' + util.describe(result.value) + '; Kommo expects true');
        }
      });
      if (boot.location === 'settings') host.openSettings();
      if (boot.location === 'advanced_settings') host.openAdvancedSettings();
      if (boot.location === 'salesbot_designer') host.buildDesigner();
      host.setStatus('ready');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
