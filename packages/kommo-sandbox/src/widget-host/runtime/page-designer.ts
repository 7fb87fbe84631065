// Browser code, part 4: a minimal salesbot designer pane, one block per handler code of the
// manifest. Kommo's contract (docs/kommo-contract.md §6.4): `salesbotDesignerSettings($body,
// renderRow, params)` each time the block's pane opens, `renderRow(caption)` with ONE argument,
// Save → `onSalesbotDesignerSave(handler_code, params)` → a JSON string (checked by the sandbox).
// The pane can be reopened ("Settings"): the callback then runs again on the same body, so a
// widget that adds its rows on every call shows them twice.
export const PAGE_DESIGNER_JS = String.raw`
(function () {
  'use strict';
  var host = window.__sandboxHost;
  var manifest = host.boot.widget.manifest;
  var util = host.util;
  var esc = util.esc;
  var $ = window.jQuery;

  function rowHtml(caption, controlHtml) {
    return '<div class="salesbot-designer-row"><div class="salesbot-designer-row__title">' + esc(caption) +
      '</div><div class="salesbot-designer-row__control">' + (controlHtml || '') + '</div></div>';
  }

  // What the widget gets: Kommo's renderRow takes the caption only. A second argument is a
  // contract break (counted as a warning) and is dropped, as Kommo would drop it.
  function renderRow(caption) {
    if (arguments.length !== 1) {
      host.record('contract', 'warn', 'renderRow(caption) takes one argument, got ' + arguments.length +
        ' (docs/kommo-contract.md §6.4); the others are ignored');
    }
    return rowHtml(caption === undefined || caption === null ? '' : caption, '');
  }

  function designerSave(handlerCode, $block) {
    var params = {};
    $block.find('[data-testid="designer-body"] [name]').each(function () { params[this.name] = $(this).val(); });
    var outcome = host.callback('onSalesbotDesignerSave', [handlerCode, params], true);
    var source = outcome.value;
    var $status = $block.find('[data-testid="designer-result-status"]');
    $block.find('[data-testid="designer-result"]').text(typeof source === 'string' ? source : util.describe(source));
    var entry = { handler_code: handlerCode, params: params, source: source, status: 'pending' };
    host.designer.push(entry);
    if (typeof source !== 'string') {
      entry.status = 'invalid: onSalesbotDesignerSave must return a JSON string, got ' + util.describe(source);
      host.record('contract', 'error', entry.status);
      $status.text(entry.status);
      return Promise.resolve(entry);
    }
    return util.sendJson('POST', host.boot.urls.blocks, {
      account_id: host.boot.account.id, widget_code: host.boot.widget.code, handler_code: handlerCode, params: params, source: source,
    }).then(function (block) {
      entry.status = block.valid_json ? 'valid' : 'invalid: ' + block.error;
      if (!block.valid_json) host.record('contract', 'error', 'salesbot block ' + handlerCode + ': ' + block.error);
      else host.record('designer', 'info', 'salesbot block ' + handlerCode + ' saved');
      $status.text(entry.status);
      return entry;
    }).catch(function (error) {
      host.record('error', 'error', 'saving the salesbot block failed: ' + util.stringify(error));
      return entry;
    });
  }

  // Kommo calls the callback each time the pane opens; the exits it declares replace the old ones.
  function openSettings($block, $body, params) {
    var current = {};
    $body.find('[name]').each(function () { current[this.name] = $(this).val(); });
    var declared = host.callback('salesbotDesignerSettings', [$body, renderRow, Object.assign({}, params, current)]).value;
    var $exits = $block.find('[data-testid="designer-exits"]').empty();
    if (declared && Array.isArray(declared.exits)) {
      declared.exits.forEach(function (exit) { $('<li>').text(exit.code + ': ' + exit.title).appendTo($exits); });
    }
  }

  host.buildDesigner = function () {
    var designer = manifest.salesbot_designer || {};
    var $pane = $('#salesbot-designer');
    host.designerSave = {};
    host.designerOpen = {};
    Object.keys(designer).filter(function (key) { return key !== 'logo'; }).forEach(function (code) {
      var handler = designer[code] || {};
      var $block = $('<section class="salesbot-designer-block" data-testid="designer-block">' +
        '<h2></h2><div class="salesbot-designer-block__body" data-testid="designer-body"></div>' +
        '<ul data-testid="designer-exits"></ul><button type="button" data-testid="designer-open">Settings</button> ' +
        '<button type="button" data-testid="designer-save">Save</button> ' +
        '<output data-testid="designer-result-status"></output><pre data-testid="designer-result"></pre></section>');
      $block.attr('data-handler', code).find('h2').text(host.text(handler.name) + ' (' + code + ')');
      var $body = $block.find('[data-testid="designer-body"]');
      var params = {};
      Object.keys(handler.settings || {}).forEach(function (key) {
        var field = handler.settings[key];
        params[key] = field.default_value === undefined ? '' : field.default_value;
        var type = field.type === 'numeric' ? 'number' : field.type === 'url' ? 'url' : 'text';
        $body.append(rowHtml(host.text(field.name), '<input type="' + type + '" name="' + esc(key) +
          '" value="' + esc(params[key]) + '" data-testid="designer-field-' + esc(key) + '">'));
      });
      $pane.append($block);
      host.designerOpen[code] = function () { openSettings($block, $body, params); };
      host.designerSave[code] = function () { return designerSave(code, $block); };
      host.designerOpen[code]();
      $block.find('[data-testid="designer-open"]').on('click', host.designerOpen[code]);
      $block.find('[data-testid="designer-save"]').on('click', host.designerSave[code]);
    });
  };
})();
`;
