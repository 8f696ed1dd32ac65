// segur serve: sorting and filtering of the table, drag-and-drop upload of
// signed VAs, « Préparer le dépôt » with its progress bar. No library, no
// build step; the page works without it (plain forms), only less smoothly.
"use strict";

function texte(td) {
  return td.dataset.tri !== undefined ? td.dataset.tri : td.textContent.trim();
}

function tableau() {
  const table = document.getElementById("dossiers");
  if (!table) return;
  const tbody = table.tBodies[0];
  const filtre = document.getElementById("filtre");
  const etat = document.getElementById("filtre-etat");
  const compte = document.getElementById("compte-affiche");
  const appliquer = () => {
    const q = filtre.value.trim().toLowerCase();
    let n = 0;
    for (const tr of tbody.rows) {
      const ok = (!q || tr.textContent.toLowerCase().includes(q)) && (!etat.value || tr.dataset.etat === etat.value);
      tr.hidden = !ok;
      if (ok) n++;
    }
    compte.textContent = n + " dossier(s) affiché(s)";
  };
  filtre.addEventListener("input", appliquer);
  etat.addEventListener("change", appliquer);
  appliquer();
  for (const b of table.tHead.querySelectorAll("button[data-col]")) {
    b.addEventListener("click", () => {
      const th = b.parentElement;
      const col = Number(b.dataset.col);
      const num = b.hasAttribute("data-num");
      const asc = th.getAttribute("aria-sort") !== "ascending";
      for (const other of table.tHead.querySelectorAll("th")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      const rows = Array.from(tbody.rows);
      rows.sort((x, y) => {
        const a = texte(x.cells[col]), c = texte(y.cells[col]);
        const r = num ? (Number(a) || 0) - (Number(c) || 0) : a.localeCompare(c, "fr", { numeric: true });
        return asc ? r : -r;
      });
      for (const r of rows) tbody.appendChild(r);
    });
  }
}

function message(zone, classe, texte, problemes) {
  zone.innerHTML = "";
  const div = document.createElement("div");
  div.className = "message " + classe;
  div.setAttribute("role", "status");
  div.textContent = texte;
  if (problemes && problemes.length) {
    const ul = document.createElement("ul");
    for (const p of problemes) {
      const li = document.createElement("li");
      li.textContent = p;
      ul.appendChild(li);
    }
    div.appendChild(ul);
  }
  zone.appendChild(div);
  return div;
}

function depot() {
  const form = document.getElementById("form-va");
  if (!form) return;
  const zone = document.getElementById("reponse-va");
  const envoyer = async (fichier, confirmer) => {
    const fd = new FormData();
    fd.append("va", fichier);
    if (confirmer) fd.append("confirmer", "1");
    message(zone, "ok", "Vérification de " + fichier.name + "…");
    let rep;
    try {
      const r = await fetch(form.action, { method: "POST", body: fd, headers: { Accept: "application/json" } });
      rep = await r.json();
    } catch (e) {
      message(zone, "erreur", "Envoi impossible : la page segur est-elle toujours lancée ?");
      return;
    }
    if (rep.ok) {
      sessionStorage.setItem("segur-message", rep.message);
      location.reload();
    } else if (rep.conflit) {
      const div = message(zone, "question", rep.message);
      const oui = document.createElement("button");
      oui.className = "action";
      oui.type = "button";
      oui.textContent = "Remplacer";
      oui.addEventListener("click", () => envoyer(fichier, true));
      const non = document.createElement("button");
      non.className = "action secondaire";
      non.type = "button";
      non.textContent = "Annuler";
      non.addEventListener("click", () => { zone.innerHTML = ""; });
      div.append(" ", oui, " ", non);
      oui.focus();
    } else {
      message(zone, "erreur", rep.message, rep.problemes);
    }
  };
  const choix = document.getElementById("fichier-va");
  choix.addEventListener("change", () => {
    document.getElementById("nom-fichier").textContent = choix.files[0] ? choix.files[0].name : "aucun fichier choisi";
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = document.getElementById("fichier-va").files[0];
    if (f) envoyer(f, false);
  });
  form.addEventListener("dragover", (e) => { e.preventDefault(); form.classList.add("survol"); });
  form.addEventListener("dragleave", () => form.classList.remove("survol"));
  form.addEventListener("drop", (e) => {
    e.preventDefault();
    form.classList.remove("survol");
    const f = e.dataTransfer.files[0];
    if (f) envoyer(f, false);
  });
  const gardé = sessionStorage.getItem("segur-message");
  if (gardé) {
    sessionStorage.removeItem("segur-message");
    message(zone, "ok", gardé);
  }
}

function preparer() {
  const form = document.getElementById("form-preparer");
  if (!form) return;
  const bouton = document.getElementById("preparer");
  const prog = document.getElementById("progression");
  const barre = document.getElementById("barre");
  const txt = document.getElementById("progression-texte");
  const res = document.getElementById("resultat-depot");
  const afficher = (p) => {
    if (p.en_cours) {
      prog.hidden = false;
      barre.max = Math.max(p.total, 1);
      barre.value = p.fait;
      txt.textContent = p.fait + " / " + p.total + " dossier(s)";
      return false;
    }
    if (!p.fini) return true;
    bouton.disabled = false;
    barre.value = barre.max;
    txt.textContent = "terminé";
    res.innerHTML = "";
    if (p.erreur) {
      message(res, "erreur", "La préparation a échoué : " + p.erreur);
      return true;
    }
    message(res, "ok", p.prets + " dossier(s) prêt(s) dans " + p.paires.length / 2 + " paire(s), " + p.bloques + " bloqué(s) ou à signer. Fichiers à téléverser sur le portail de l'ASP :");
    const ul = document.createElement("ul");
    ul.id = "paires";
    for (const nom of p.paires) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/depot/" + encodeURIComponent(nom);
      a.textContent = nom;
      a.setAttribute("download", nom);
      li.appendChild(a);
      ul.appendChild(li);
    }
    res.appendChild(ul);
    const ancien = document.getElementById("depot-prepare");
    if (ancien) ancien.hidden = true; // the list above says it now
    if (p.paires.length > 0) {
      const tout = document.createElement("p");
      const a = document.createElement("a");
      a.href = "/tout-telecharger";
      a.id = "tout-telecharger-resultat";
      a.className = "action secondaire";
      a.textContent = "Tout télécharger";
      a.setAttribute("download", "depot.zip");
      tout.appendChild(a);
      tout.appendChild(document.createTextNode(" (les " + p.paires.length + " fichiers en un zip)"));
      res.appendChild(tout);
    }
    return true;
  };
  const suivre = async () => {
    const r = await fetch("/preparer/etat", { headers: { Accept: "application/json" } });
    if (!afficher(await r.json())) setTimeout(suivre, 250);
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    bouton.disabled = true;
    res.innerHTML = "";
    prog.hidden = false;
    barre.value = 0;
    const r = await fetch("/preparer", { method: "POST", headers: { Accept: "application/json" } });
    if (!r.ok) {
      bouton.disabled = false;
      message(res, "erreur", (await r.json()).message);
      return;
    }
    suivre();
  });
  suivre();
}

function apercu() {
  const frame = document.querySelector("iframe.apercu");
  if (!frame) return;
  for (const a of document.querySelectorAll("a.apercu-lien")) {
    a.addEventListener("click", () => { frame.hidden = false; });
  }
}

document.addEventListener("DOMContentLoaded", () => { tableau(); depot(); preparer(); apercu(); });
