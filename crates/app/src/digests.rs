//! The officials' digests (seed `000_…` §12.2): the hourly digest of new tickets and
//! dispositions, the daily digest of unanswered tickets. `domain::digest` says when each is due
//! and which inbox an official reads; `store::notify` claims each (official, kind, period) once
//! in the transaction that queues the messages.

use crate::{App, texts};
use chrono::TimeZone;
use domain::digest::{daily_period, hourly_period, top_categories};
use std::collections::{BTreeMap, HashMap};
use store::notify::{self, DigestReport, Official};
use store::settings::{fill, region_zone, template};
use store::{Result, delegations};

fn inbox_name(names: &HashMap<i64, String>, agency: Option<i64>) -> String {
    texts::inbox(agency.and_then(|a| names.get(&a)).map(String::as_str))
}

impl App {
    /// The hourly digest for the last full hour before `now`: every official whose inbox got
    /// new tickets (received or forwarded in that hour) gets one message with the count and the
    /// top categories; nobody hears anything about an empty hour.
    pub async fn send_hourly_digests(&self, now: i64, base_url: &str) -> Result<DigestReport> {
        let hour = hourly_period(now);
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        if !notify::claim_run(&mut c, "digest_hourly", &hour.key, now).await? {
            return Ok(DigestReport::default());
        }
        // The agency a ticket is in now (NULL: triage), by category.
        let rows = notify::new_tickets(&mut c, hour.start, hour.end).await?;
        // New dispositions per recipient; whoever stands in for them (Plt./Plh.) counts them too.
        let disposed = notify::new_dispositions(&mut c, hour.start, hour.end).await?;
        let mut dispositions: HashMap<i64, i64> = HashMap::new();
        for (user, count) in disposed {
            for reached in delegations::with_delegates(&mut c, &[user], hour.end - 1).await? {
                *dispositions.entry(reached).or_default() += count;
            }
        }
        if rows.is_empty() && dispositions.is_empty() {
            tx.commit().await?;
            return Ok(DigestReport::default());
        }
        let mut inboxes: HashMap<Option<i64>, (i64, BTreeMap<String, i64>)> = HashMap::new();
        for (agency, category, count) in rows {
            let entry = inboxes.entry(agency).or_default();
            entry.0 += count;
            *entry.1.entry(category).or_default() += count;
        }
        let officials: Vec<Official> = notify::digest_officials(&mut c, hour.end - 1)
            .await?
            .into_iter()
            .filter(|o| o.news(&inboxes).next().is_some() || dispositions.contains_key(&o.id))
            .collect();
        let ids: Vec<i64> = officials.iter().map(|o| o.id).collect();
        let claimed = notify::claim(&mut c, &ids, "digest_hourly", &hour.key, now).await?;
        let claimed: Vec<&Official> = officials
            .iter()
            .filter(|o| claimed.contains(&o.id))
            .collect();
        let names = notify::agency_names(&mut c).await?;
        let template = template(&mut c, "digest_hourly").await?;
        let zone = region_zone(&mut c).await?;
        let local = zone
            .timestamp_millis_opt(now)
            .single()
            .map(|t| t.time())
            .unwrap_or_default();
        let link = format!("{}/staf", base_url.trim_end_matches('/'));
        let messages = notify::queue(
            &mut c,
            &claimed,
            |official| {
                let disposed = dispositions.get(&official.id).copied().unwrap_or(0);
                let mut news = official.news(&inboxes);
                let Some((first, (count, categories))) = news.next() else {
                    return texts::hourly_dispositions(disposed, &link);
                };
                let inbox = inbox_name(&names, first);
                let body = fill(
                    &template,
                    &[
                        ("count", &count.to_string()),
                        ("inbox", &inbox),
                        (
                            "categories",
                            &texts::categories(&top_categories(categories, 3)),
                        ),
                        ("link", &link),
                    ],
                );
                let others: Vec<(i64, String)> = news
                    .map(|(other, (count, _))| (*count, inbox_name(&names, other)))
                    .collect();
                texts::hourly_digest(body, *count, &inbox, &others, disposed)
            },
            "digest_hourly",
            local,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(DigestReport {
            recipients: claimed.len(),
            messages,
        })
    }

    /// The daily digest, once the region's clock has passed `daily_digest_at`: every official
    /// whose inbox holds unanswered tickets gets the count, how many are overdue and the
    /// oldest overdue one.
    pub async fn send_daily_digests(&self, now: i64, base_url: &str) -> Result<DigestReport> {
        let mut tx = self.db.begin().await?;
        let mut c = tx.c();
        let zone = region_zone(&mut c).await?;
        let at = notify::daily_digest_at(&mut c).await?;
        let Some(local) = zone.timestamp_millis_opt(now).single() else {
            return Ok(DigestReport::default());
        };
        let Some(period) = daily_period(local.naive_local(), &at) else {
            tx.commit().await?;
            return Ok(DigestReport::default());
        };
        if !notify::claim_run(&mut c, "digest_daily", &period, now).await? {
            return Ok(DigestReport::default());
        }
        let rows = notify::unanswered(&mut c, now).await?;
        let mut inboxes: HashMap<Option<i64>, (i64, i64, String)> = HashMap::new();
        for (agency, open, overdue) in rows {
            let oldest = if overdue > 0 {
                notify::oldest_overdue(&mut c, now, agency).await?
            } else {
                None
            };
            let oldest = oldest.map(|(register, due)| {
                let due = zone
                    .timestamp_millis_opt(due)
                    .single()
                    .map(|d| d.format("%d-%m %H:%M").to_string())
                    .unwrap_or_default();
                (register, due)
            });
            let oldest =
                texts::oldest_overdue(oldest.as_ref().map(|(r, d)| (r.as_str(), d.as_str())));
            inboxes.insert(agency, (open, overdue, oldest));
        }
        let officials: Vec<Official> = notify::digest_officials(&mut c, now)
            .await?
            .into_iter()
            .filter(|o| o.news(&inboxes).next().is_some())
            .collect();
        let ids: Vec<i64> = officials.iter().map(|o| o.id).collect();
        let claimed = notify::claim(&mut c, &ids, "digest_daily", &period, now).await?;
        let claimed: Vec<&Official> = officials
            .iter()
            .filter(|o| claimed.contains(&o.id))
            .collect();
        let names = notify::agency_names(&mut c).await?;
        let template = template(&mut c, "digest_daily").await?;
        let link = format!("{}/staf?sort=due", base_url.trim_end_matches('/'));
        let messages = notify::queue(
            &mut c,
            &claimed,
            |official| {
                let mut news = official.news(&inboxes);
                let Some((first, (open, overdue, oldest))) = news.next() else {
                    return (String::new(), String::new());
                };
                let inbox = inbox_name(&names, first);
                let body = fill(
                    &template,
                    &[
                        ("count", &open.to_string()),
                        ("overdue", &overdue.to_string()),
                        ("oldest", oldest),
                        ("inbox", &inbox),
                        ("link", &link),
                    ],
                );
                let others: Vec<(i64, i64, String)> = news
                    .map(|(other, (open, overdue, _))| (*open, *overdue, inbox_name(&names, other)))
                    .collect();
                texts::daily_digest(body, *open, &inbox, &others)
            },
            "digest_daily",
            local.time(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(DigestReport {
            recipients: claimed.len(),
            messages,
        })
    }
}
