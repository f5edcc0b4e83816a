//! A received SMS, whole, for the staff who may see its ticket: a ticket keeps at most the
//! longest concatenated SMS and links here for the rest.

use crate::error::{ApiError, PageError};
use crate::request::PageStaff;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn original(
    State(state): State<AppState>,
    PageStaff(staff): PageStaff,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let message = state.db().inbound_message(id).await?;
    let ticket_id = message.ticket_id.ok_or(PageError(ApiError::NotFound))?;
    // Scope: whoever may open the ticket may read what it was made from.
    state.db().ticket(&staff.access, ticket_id).await?;
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    Ok((headers, message.text).into_response())
}
