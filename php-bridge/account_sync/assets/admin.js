/* Admin pages of account_sync: key reveal, confirmations and "Feed now". */
(function () {
    'use strict';

    function revealKey() {
        var button = document.getElementById('as-key-reveal');
        var masked = document.getElementById('as-key-masked');
        var full = document.getElementById('as-key-full');
        if (!button || !masked || !full) {
            return;
        }
        var showText = button.textContent;
        button.addEventListener('click', function () {
            var revealing = full.hidden;
            full.hidden = !revealing;
            masked.hidden = revealing;
            button.textContent = revealing ? button.dataset.textHide : showText;
        });
    }

    function confirmForms() {
        document.querySelectorAll('form[data-confirm]').forEach(function (form) {
            form.addEventListener('submit', function (event) {
                if (!window.confirm(form.dataset.confirm)) {
                    event.preventDefault();
                }
            });
        });
    }

    /* Calls the feed endpoint again and again; each call runs a few seconds of
       batches on the server and answers the progress. */
    function FeedPanel(panel) {
        this.panel = panel;
        this.fill = document.getElementById('as-feed-fill');
        this.bar = document.getElementById('as-feed-bar');
        this.percent = document.getElementById('as-feed-percent');
        this.message = document.getElementById('as-feed-message');
        this.state = document.getElementById('as-feed-state');
        this.stopButton = document.getElementById('as-feed-stop');
        this.closeButton = document.getElementById('as-feed-close');
        this.running = false;
        this.stopping = false;

        var self = this;
        this.stopButton.addEventListener('click', function () {
            self.stopping = true;
            self.stopButton.disabled = true;
            self.setState(panel.dataset.textStopping);
        });
        this.closeButton.addEventListener('click', function () {
            window.location.reload();
        });
    }

    FeedPanel.prototype.setState = function (text) {
        this.state.textContent = text;
    };

    FeedPanel.prototype.show = function (progress) {
        // Rounded down, so the bar never reads 100% before the last user came.
        var percent = Math.floor(Math.max(0, Math.min(100, Number(progress.percent || 0))) * 100) / 100;
        this.fill.style.width = percent + '%';
        this.bar.setAttribute('aria-valuenow', String(percent));
        this.percent.textContent = percent.toFixed(2) + '%';
        this.message.textContent = progress.message || '';
    };

    FeedPanel.prototype.finish = function (cssClass, text) {
        this.running = false;
        if (cssClass) {
            this.panel.classList.add(cssClass);
        }
        this.setState(text);
        this.stopButton.hidden = true;
        this.closeButton.hidden = false;
        document.querySelectorAll('.as-feed-start').forEach(function (button) {
            button.disabled = false;
        });
    };

    FeedPanel.prototype.start = function (accountId, name) {
        if (this.running) {
            return;
        }
        this.running = true;
        this.stopping = false;
        this.idleCalls = 0;
        this.panel.classList.remove('as-feed-done', 'as-feed-failed');
        this.panel.hidden = false;
        this.stopButton.hidden = false;
        this.stopButton.disabled = false;
        this.closeButton.hidden = true;
        document.getElementById('as-feed-name').textContent = name;
        document.querySelectorAll('.as-feed-start').forEach(function (button) {
            button.disabled = true;
        });
        this.show({percent: 0, message: ''});
        this.setState(this.panel.dataset.textStarting);
        this.panel.scrollIntoView({behavior: 'smooth', block: 'nearest'});
        this.step(accountId);
    };

    FeedPanel.prototype.step = function (accountId) {
        var self = this;
        var body = 'account_id=' + encodeURIComponent(accountId) + '&' + this.panel.dataset.token;
        var status = 0;

        fetch(this.panel.dataset.url, {
            method: 'POST',
            credentials: 'same-origin',
            headers: {'Content-Type': 'application/x-www-form-urlencoded', 'Accept': 'application/json'},
            body: body
        }).then(function (response) {
            status = response.status;
            return response.json();
        }).then(function (answer) {
            if (!answer || answer.ok !== true) {
                self.finish('as-feed-failed', (answer && answer.error) || self.badAnswer(status));
                return;
            }
            var progress = answer.progress || {};
            self.show(progress);
            if (progress.done) {
                self.finish('as-feed-done', self.panel.dataset.textDone);
                return;
            }
            self.idleCalls = Number(progress.batches || 0) > 0 ? 0 : self.idleCalls + 1;
            if (self.idleCalls >= 2) {
                self.finish('as-feed-failed', self.panel.dataset.textStalled);
                return;
            }
            if (self.stopping) {
                self.finish('', self.panel.dataset.textStopped);
                return;
            }
            self.step(accountId);
        }).catch(function () {
            self.finish('as-feed-failed', self.badAnswer(status));
        });
    };

    FeedPanel.prototype.badAnswer = function (status) {
        return this.panel.dataset.textBadAnswer.replace('%s', String(status || '?'));
    };

    function feedButtons() {
        var panelElement = document.getElementById('as-feed');
        if (!panelElement) {
            return;
        }
        var panel = new FeedPanel(panelElement);
        document.querySelectorAll('.as-feed-start').forEach(function (button) {
            button.addEventListener('click', function () {
                panel.start(button.dataset.accountId, button.dataset.accountName);
            });
        });
    }

    function init() {
        revealKey();
        confirmForms();
        feedButtons();
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', init);
    } else {
        init();
    }
}());
