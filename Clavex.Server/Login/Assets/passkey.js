// Clavex passkeys: the WebAuthn ceremonies of the login, second-factor, enrolment and account pages.
// Each passkey form carries its options (WebAuthn Level 3 JSON) in data-passkey-options and is hidden until this
// script finds WebAuthn in the browser; without it, the rest of the page works as before. The script asks the
// browser for the credential, puts the response (JSON, byte strings in base64url) in the form's webauthn_response
// field and submits the form; the server verifies it.
(() => {
  'use strict';

  const decode = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  };

  const encode = (buffer) => {
    let binary = '';
    for (const byte of new Uint8Array(buffer)) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };

  const descriptors = (list) => (list || []).map((d) => ({ ...d, id: decode(d.id) }));

  const creationOptions = (o) => ({
    ...o, challenge: decode(o.challenge), user: { ...o.user, id: decode(o.user.id) }, excludeCredentials: descriptors(o.excludeCredentials),
  });

  const requestOptions = (o) => ({ ...o, challenge: decode(o.challenge), allowCredentials: descriptors(o.allowCredentials) });

  const toJson = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: encode(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = encode(r.attestationObject);
      if (r.getTransports) {
        response.transports = r.getTransports();
      }
    } else {
      response.authenticatorData = encode(r.authenticatorData);
      response.signature = encode(r.signature);
      if (r.userHandle) {
        response.userHandle = encode(r.userHandle);
      }
    }
    return JSON.stringify({
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      response,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    });
  };

  const attach = (form) => {
    const button = form.querySelector('[data-passkey-start]');
    const status = form.querySelector('[data-passkey-status]');
    button.addEventListener('click', async () => {
      const options = JSON.parse(form.dataset.passkeyOptions);
      button.disabled = true;
      status.textContent = '';
      try {
        const credential = form.dataset.passkeyMode === 'create'
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.elements.webauthn_response.value = toJson(credential);
        form.submit();
      } catch (e) {
        button.disabled = false;
        status.textContent = e && e.name === 'InvalidStateError'
          ? 'This authenticator is already registered.'
          : 'No passkey was used. Try again, or choose another way.';
      }
    });
    form.hidden = false;
  };

  if (window.PublicKeyCredential && navigator.credentials) {
    document.querySelectorAll('form[data-passkey-mode]').forEach(attach);
  }
})();
