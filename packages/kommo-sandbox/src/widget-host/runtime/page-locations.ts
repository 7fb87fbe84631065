// Browser code, part 3: the settings modal with the manifest's fields (Save → onSave → stored)
// and the advanced settings work area. The salesbot designer pane is part 4 (page-designer.ts).
export const PAGE_LOCATIONS_JS = String.raw`
(function () {
  'use strict';
  var host = window.__sandboxHost;
  var boot = host.boot;
  var util = host.util;
  var $ = window.jQuery;
  var manifest = boot.widget.manifest;
  var fields = manifest.settings || {};
  var modal = null;

  function isBlank(value) {
    return value === null || value === undefined || (typeof value === 'object' ? Object.keys(value).length === 0 : String(value) === '');
  }
  function esc(value) { return util.escapeHtml(value === undefined || value === null ? '' : value); }
  host.util.esc = esc;
  host.util.sendJson = sendJson;
  function sendJson(method, url, body) {
    return fetch(url, { method: method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) throw new Error('HTTP ' + response.status + ': ' + JSON.stringify(json));
          return json;
        });
      });
  }

  function fieldHtml(key, field) {
    var value = host.settings[key];
    var label = '<label class="widget_settings_block__title_field" for="ws-' + esc(key) + '">' +
      esc(host.text(field.name)) + (field.required ? ' *' : '') + '</label>';
    var control;
    if (field.type === 'users' || field.type === 'users_lp') {
      // One value per account user, saved as { user_id: value }.
      control = '<div data-users-field="' + esc(key) + '">' + boot.users.map(function (user) {
        var current = value && typeof value === 'object' ? value[user.id] : '';
        return '<label>' + esc(user.name) + ' <input type="text" data-user-id="' + user.id + '" value="' + esc(current) + '"></label>';
      }).join('') + '</div>';
    } else {
      var type = field.type === 'pass' ? 'password' : field.type === 'custom' ? 'hidden' : 'text';
      control = '<input id="ws-' + esc(key) + '" class="widget_settings_block__input_field" type="' + type +
        '" name="' + esc(key) + '" value="' + esc(value) + '" data-testid="settings-field-' + esc(key) + '">';
    }
    return '<div class="widget_settings_block__item_field" data-field="' + esc(key) + '">' + label + control + '</div>';
  }

  host.openSettings = function () {
    if (!host.widget) return null;
    if (modal && !modal.destroyed) return modal;
    var description = manifest.widget.description ? host.text(manifest.widget.description) : '';
    modal = new host.Modal({
      class_name: 'modal-list widget-settings-modal',
      init: function ($body) {
        $body.attr('data-testid', 'settings-modal').html(
          '<div class="widget-settings" id="widget_settings__' + esc(boot.widget.code) + '" data-testid="widget-settings">' +
          '<div class="widget-settings__header"><h2 class="widget-settings__name">' + esc(host.text(manifest.widget.name)) +
          '</h2> <span class="widget-settings__version">v' + esc(boot.widget.version) + '</span></div>' +
          '<div class="widget-settings__desc">' + esc(description) + '</div>' +
          '<div class="widget_settings_block"><div class="widget_settings_block__fields" data-testid="settings-fields">' +
          Object.keys(fields).map(function (key) { return fieldHtml(key, fields[key]); }).join('') +
          '</div><div class="widget_settings_block__controls" data-testid="settings-controls"></div></div>' +
          '<div class="widget-settings__footer"><button type="button" class="button-input button-input_blue" data-testid="settings-save">Save</button>' +
          ' <button type="button" class="button-input" data-testid="settings-disable">Disable</button>' +
          ' <output data-testid="settings-result"></output></div></div>');
      },
    });
    modal.$modal_body.on('click', '[data-testid="settings-save"]', function () { host.save('Y'); });
    modal.$modal_body.on('click', '[data-testid="settings-disable"]', function () { host.disable(); });
    host.callback('settings', [modal.$modal_body]);
    return modal;
  };

  function collect() {
    var values = {};
    var missing = [];
    var $scope = modal && !modal.destroyed ? modal.$modal_body : $();
    Object.keys(fields).forEach(function (key) {
      var value;
      if (fields[key].type === 'users' || fields[key].type === 'users_lp') {
        value = {};
        $scope.find('[data-users-field="' + key + '"] input').each(function () {
          if (this.value) value[this.getAttribute('data-user-id')] = this.value;
        });
        if (!$scope.length) value = host.settings[key] || {};
      } else {
        var $input = $scope.find('[name="' + key + '"]').first();
        value = $input.length ? String($input.val() || '') : host.settings[key] || '';
      }
      values[key] = value;
      if (fields[key].required && isBlank(value)) missing.push(key);
    });
    return { values: values, missing: missing };
  }

  // Save ('Y') or disable ('N'): onSave({ fields, active }) must return true or a Promise of it.
  host.save = function (active) {
    var collected = collect();
    var result = $('[data-testid="settings-result"]');
    if (active === 'Y' && collected.missing.length) {
      host.record('settings', 'info', 'required fields are empty: ' + collected.missing.join(', '));
      result.text('required: ' + collected.missing.join(', '));
      return Promise.resolve(false);
    }
    var outcome = host.callback('onSave', [{ fields: collected.values, active: active }]);
    return Promise.resolve(outcome.value).then(function (ok) {
      if (outcome.called && !ok) {
        if (!outcome.threw) host.record('contract', 'error', 'callbacks.onSave returned ' + util.describe(ok) + '; settings not saved');
        result.text('not saved');
        return false;
      }
      return sendJson('PUT', boot.urls.settings, {
        account_id: boot.account.id, widget_code: boot.widget.code, values: collected.values, active: active === 'Y',
      }).then(function (saved) {
        var firstInstall = !host.installed && saved.installed;
        Object.assign(host.settings, saved.values, { active: saved.active ? 'Y' : 'N', status: saved.installed ? 'installed' : 'install' });
        host.installed = saved.installed;
        host.setOutput('widget-status', saved.active ? 'installed' : 'disabled');
        host.record('settings', 'info', active === 'Y' ? 'settings saved' : 'widget disabled');
        result.text(active === 'Y' ? 'saved' : 'disabled');
        if (firstInstall) host.callback('onInstall', []);
        return true;
      });
    }, function (error) {
      host.record('error', 'error', 'onSave rejected: ' + util.stringify(error));
      return false;
    }).catch(function (error) {
      host.record('error', 'error', 'saving settings failed: ' + util.stringify(error));
      return false;
    });
  };

  // Kommo on "Disable": onSave with active N, then destroy.
  host.disable = function () {
    if (!host.widget) return Promise.resolve(false);
    return host.save('N').then(function (saved) {
      if (!saved) return false;
      host.callback('destroy', []);
      if (modal) modal.destroy();
      return true;
    });
  };

  host.openAdvancedSettings = function () {
    var title = manifest.advanced && manifest.advanced.title;
    $('[data-testid="advanced-title"]').text(title ? host.text(title) : '');
    host.callback('advancedSettings', []);
  };

})();
`;
